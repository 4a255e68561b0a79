-- name: GetOrder :one
-- get-wide: one wide row by primary key.
SELECT * FROM orders WHERE id = sqlc.arg(id);

-- name: ListOrders :many
-- list-wide-100: a keyset page of wide rows.
SELECT * FROM orders
WHERE id > sqlc.arg(after_id)
ORDER BY id
LIMIT sqlc.arg(page_size);

-- name: CustomerTotals :many
-- join-agg-20: customers with their order counts and sums (JOIN, GROUP BY, count, sum).
SELECT customers.id, customers.email, customers.country,
       count(orders.id) AS order_count,
       sum(orders.total)::numeric AS spent,
       coalesce(sum(orders.discount), 0)::numeric AS discounts,
       max(orders.created_at)::timestamptz AS last_order_at,
       bool_or(orders.gift)::boolean AS any_gift
FROM customers JOIN orders ON orders.customer_id = customers.id
WHERE customers.id > sqlc.arg(after_id) AND customers.id <= sqlc.arg(after_id) + sqlc.arg(page_size)
GROUP BY customers.id
ORDER BY customers.id
LIMIT sqlc.arg(page_size);

-- name: CreateOrder :one
-- insert-wide: one order in, the whole row back.
INSERT INTO orders (
    public_id, customer_id, status, currency, subtotal, tax, shipping, discount, total,
    product_ids, quantities, tags, metadata, notes, gift, signature, weight_kg, ship_by,
    delivered_on, created_at, shipped_at
) VALUES (
    $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21
)
RETURNING *;

-- name: CreateOrderLines :batchexec
-- batch-lines-100: 100 order lines, one statement per line (psycopg's pipelined executemany).
INSERT INTO order_lines (order_id, product_id, quantity, unit_price, note)
VALUES ($1, $2, $3, $4, $5);

-- name: CreateOrderLinesUnnest :batchexec
-- @unnest
-- batch-lines-100-unnest: the same 100 lines as one INSERT … SELECT FROM unnest(arrays).
INSERT INTO order_lines (order_id, product_id, quantity, unit_price, note)
VALUES ($1, $2, $3, $4, $5);
