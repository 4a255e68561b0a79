-- name: AddPost :one
INSERT INTO posts (tag_ids, small_ids, scores, weights, prices, codes, letters, docs, raws, colors)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
RETURNING id;

-- name: AddPosts :batchexec
INSERT INTO posts (tag_ids, docs) VALUES ($1, $2);

-- name: CopyPosts :copyfrom
INSERT INTO posts (tag_ids, small_ids, scores, weights, prices, codes, letters, docs, raws, colors)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- name: PostsWithAnyTag :many
SELECT id FROM posts WHERE tag_ids && $1 ORDER BY id;

-- name: PostsWithTags :batchmany
SELECT id FROM posts WHERE tag_ids @> $1 ORDER BY id;

-- name: CountOverlapping :one
SELECT count(*) FROM posts
WHERE small_ids && sqlc.arg(small_ids)
  AND scores @> sqlc.arg(scores)
  AND weights @> sqlc.arg(weights)
  AND prices @> sqlc.arg(prices)
  AND codes @> sqlc.arg(codes)
  AND letters @> sqlc.arg(letters);

-- name: DeletePostsWithTags :execrows
DELETE FROM posts WHERE tag_ids = $1;

-- name: PostDocs :one
SELECT docs, raws FROM posts WHERE id = $1;

-- name: PostColors :one
SELECT colors FROM posts WHERE id = $1;

-- name: AddPostColors :execlastid
INSERT INTO posts (colors) VALUES ($1) RETURNING colors;
