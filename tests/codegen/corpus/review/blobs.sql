-- name: AddBlob :one
INSERT INTO blob_rows (item) VALUES ($1) RETURNING *;

-- name: CopyBlobs :copyfrom
INSERT INTO blob_rows (item) VALUES ($1);

-- name: ListBlobs :many
SELECT * FROM blob_rows ORDER BY id;
