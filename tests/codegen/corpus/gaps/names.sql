-- name: GetValue :one
SELECT value FROM carriers WHERE value = $1;

-- name: CarrierByRow :one
SELECT id, name, value, row FROM carriers WHERE row = $1 AND value = sqlc.arg(value);

-- name: ListByLocals :many
SELECT id, value FROM carriers
WHERE value > sqlc.arg(rows) AND value < sqlc.arg(cur) AND name <> sqlc.arg(conn) AND name <> sqlc.arg(db)
ORDER BY id;

-- name: ListByMoreLocals :many
SELECT id FROM carriers
WHERE name <> sqlc.arg(results) AND name <> sqlc.arg(batches) AND name <> sqlc.arg(batch) AND name <> sqlc.arg(args)
ORDER BY id;

-- name: FindByEvenMoreLocals :one
SELECT id, name FROM carriers
WHERE name <> sqlc.arg(p) AND name <> sqlc.arg(tuple_row) AND name <> sqlc.arg(load_enum_array) AND name <> sqlc.arg(self);

-- name: CountByLastLocals :one
SELECT count(*) AS result FROM carriers
WHERE name <> sqlc.arg(result) AND name <> sqlc.arg(copy) AND name <> sqlc.arg(params) AND value <> sqlc.arg(int);

-- name: NamesOfValue :batchmany
SELECT name FROM carriers WHERE value = sqlc.arg(value) ORDER BY name;

-- name: CreateCarrier :one
INSERT INTO carriers (name, kind, value, row) VALUES ($1, $2, $3, $4)
RETURNING id, name, kind, value, row;

-- name: CreateCarriers :batchexec
INSERT INTO carriers (name, value) VALUES ($1, $2);

-- name: CreateCarriersReturning :batchone
INSERT INTO carriers (name, value) VALUES ($1, $2) RETURNING id;

-- name: CreateCarriersMany :batchmany
INSERT INTO carriers (name, value) VALUES ($1, $2) RETURNING id, value;

-- name: CopyCarriers :copyfrom
INSERT INTO carriers (name, value) VALUES ($1, $2);

-- name: CarrierNames :many
SELECT name FROM carriers ORDER BY name;

-- name: CountCarriers :one
SELECT count(*) FROM carriers;

-- name: AddXStat :exec
INSERT INTO x_stats (carrier_id, hits) VALUES ($1, $2);
