-- name: SetExtras :exec
UPDATE carriers SET email = $2, path = $3, embedding = $4 WHERE id = $1;

-- name: GetExtras :one
SELECT email, path, embedding FROM carriers WHERE id = $1;

-- name: CarriersUnder :many
SELECT id, path FROM carriers WHERE path ~ sqlc.arg(pattern)::lquery ORDER BY id;

-- name: NearestCarriers :many
SELECT id FROM carriers ORDER BY embedding <-> sqlc.arg(target)::vector LIMIT 3;
