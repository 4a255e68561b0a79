-- A file header: sqlc keeps the blank line below in the first query's text.

-- name: GetUser :one
-- Comments are not turned into docstrings with emit_docstrings: false.
SELECT * FROM users WHERE id = $1;

-- name: CreateUser :one
INSERT INTO users (display_name, status) VALUES ($1, $2) RETURNING *;

-- name: ListUsers :many
SELECT id, display_name FROM users ORDER BY id;

-- name: GetLocation :one
SELECT location FROM users WHERE id = $1;
