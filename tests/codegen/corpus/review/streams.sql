-- name: AddNumbers :exec
INSERT INTO numbers (n) SELECT generate_series(1, $1::int);

-- name: ListNumbers :many
SELECT n FROM numbers ORDER BY n;

-- name: CountNumbers :one
SELECT count(*) FROM numbers;
