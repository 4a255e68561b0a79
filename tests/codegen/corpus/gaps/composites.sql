-- name: SetAddress :exec
UPDATE carriers SET address = ROW($2::text, $3::text, $4::text, $5::timestamptz, $6::carrier_kind)::shipping_address
WHERE id = $1;

-- name: GetAddress :one
SELECT address FROM carriers WHERE id = $1;

-- name: GetPriced :one
SELECT id, address, price FROM carriers WHERE id = $1;

-- name: AnonymousRecord :one
SELECT ROW(id, name) AS pair FROM carriers WHERE id = $1;

-- name: SetPrice :exec
UPDATE carriers SET price = $2 WHERE id = $1;

-- name: GetCarrier :one
SELECT * FROM carriers WHERE id = $1;

-- name: CarriersCheaperThan :many
SELECT id, (price).amount AS amount FROM carriers WHERE (price).amount < sqlc.arg(limit_amount)::numeric ORDER BY id;
