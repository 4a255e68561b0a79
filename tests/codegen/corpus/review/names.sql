-- name: AddConnection :one
INSERT INTO connections (host) VALUES ($1) RETURNING *;

-- name: ListConnections :many
SELECT * FROM connections ORDER BY id;

-- name: AddAsyncConnection :one
INSERT INTO async_connections (host) VALUES ($1) RETURNING *;

-- name: AddRawCursor :one
INSERT INTO raw_cursors DEFAULT VALUES RETURNING *;

-- name: AddJson :one
INSERT INTO jsons (doc, raw) VALUES ($1, $2) RETURNING *;

-- name: AddRange :one
INSERT INTO ranges (during, sizes) VALUES ($1, $2) RETURNING *;

-- name: AddProtocol :one
INSERT INTO protocols (name) VALUES ($1) RETURNING *;

-- name: AddFinal :one
INSERT INTO finals (name) VALUES ($1) RETURNING *;

-- name: AddIterables :copyfrom
INSERT INTO iterables (name) VALUES ($1);

-- name: ListIterables :many
SELECT * FROM iterables ORDER BY id;

-- name: AddIterator :one
INSERT INTO iterators (name) VALUES ($1) RETURNING *;

-- name: ListAsyncIterators :many
SELECT * FROM async_iterators ORDER BY id;

-- name: AddComposite :one
INSERT INTO composites (extent) VALUES ($1) RETURNING *;

-- name: AddJsonField :one
INSERT INTO json_fields DEFAULT VALUES RETURNING *;
