-- name: GetAuthor :one
-- Fetch one author.
SELECT * FROM authors WHERE id = $1;

-- name: CreateAuthor :one
INSERT INTO authors (name, mood, moods, bio, settings)
VALUES (@name, @mood, @moods, @bio, @settings)
RETURNING *;

-- name: ListAuthorsByMood :many
-- Authors in any of the given moods, optionally by name.
SELECT * FROM authors
WHERE mood = ANY(sqlc.slice(moods)::mood[])
  AND (sqlc.narg(name)::text IS NULL OR name = sqlc.narg(name))
ORDER BY id;

-- name: ListAuthorNames :many
SELECT name FROM authors ORDER BY name;

-- name: CountAuthors :one
SELECT count(*) AS n FROM authors;

-- name: UpdateAuthorBio :exec
UPDATE authors SET bio = sqlc.narg(bio) WHERE id = sqlc.arg(id);

-- name: DeleteAuthor :execrows
DELETE FROM authors WHERE id = $1;

-- name: RenameAuthors :execresult
UPDATE authors SET name = name || $1 WHERE mood = $2;

-- name: CopyAuthors :copyfrom
INSERT INTO authors (name, mood, settings) VALUES ($1, $2, $3);

-- name: BatchGetAuthor :batchone
SELECT * FROM authors WHERE id = $1;
