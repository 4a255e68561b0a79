-- name: AddPost :one
INSERT INTO posts (title, tags, reviewer_ids, moods) VALUES ($1, $2, $3, $4) RETURNING id;

-- name: PostsTagged :many
SELECT id FROM posts WHERE $1 = ANY(tags) ORDER BY id;

-- name: PostsReviewedBy :many
SELECT id FROM posts WHERE @reviewer = ANY(reviewer_ids) ORDER BY id;

-- name: PostsNotReviewedBy :many
SELECT id FROM posts WHERE sqlc.arg(reviewer) <> ALL(reviewer_ids) ORDER BY id;

-- name: PostsInMood :many
SELECT id FROM posts WHERE $1 = ANY(moods) ORDER BY id;

-- name: PostsWithTagLike :many
SELECT id FROM posts WHERE $1 LIKE ANY(tags) ORDER BY id;

-- name: PostsByIDs :many
SELECT id, title FROM posts WHERE id = ANY(sqlc.slice(ids)) ORDER BY id;

-- name: PostsNotIn :many
SELECT id FROM posts WHERE id <> ALL(sqlc.slice(ids)) ORDER BY id;

-- name: PostsWithAnyTag :many
SELECT id FROM posts WHERE tags && $1 ORDER BY id;

-- name: AddWallet :one
INSERT INTO wallets (entries, grid, tags) VALUES ($1, $2, $3) RETURNING *;

-- name: WalletEntries :one
SELECT entries FROM wallets WHERE id = $1;

-- name: CopyWallets :copyfrom
INSERT INTO wallets (entries, tags) VALUES ($1, $2);

-- name: ListWallets :many
SELECT * FROM wallets ORDER BY id;
