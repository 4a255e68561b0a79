-- name: CarriersByIds :many
SELECT id, name FROM carriers WHERE id IN (sqlc.slice(ids)) ORDER BY id;

-- name: CarriersNotNamed :many
SELECT id FROM carriers WHERE name NOT IN (sqlc.slice(names)) AND value >= $1 ORDER BY id;

-- name: DeleteCarriersOfKinds :execrows
DELETE FROM carriers WHERE kind IN (sqlc.slice('kinds')) AND name <> '';
