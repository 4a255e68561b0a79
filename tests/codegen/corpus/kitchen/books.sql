-- name: CreateBook :execlastid
INSERT INTO books (author_id, title, price, tags) VALUES ($1, $2, $3, $4) RETURNING id;

-- name: CopyBooks :copyfrom
INSERT INTO books (author_id, title, price, tags) VALUES ($1, $2, $3, $4);

-- name: BatchCreateBooks :batchexec
INSERT INTO books (author_id, title, price) VALUES ($1, $2, $3);

-- name: BatchBooksByAuthor :batchmany
SELECT id, title FROM books WHERE author_id = $1 ORDER BY id;

-- name: ListBooksWithAuthors :many
SELECT sqlc.embed(books), sqlc.embed(authors), (books.price * 2)::numeric AS double_price
FROM books JOIN authors ON authors.id = books.author_id
ORDER BY books.id;

-- name: Placeholders :one
-- Repeated and out-of-order placeholders; %, ? and $1 inside string literals.
SELECT $2::int - $1::int AS diff, $2::int AS again, '100% sure? $1 $2 %s %(x)s' AS literal;

-- name: GetItem :one
SELECT * FROM inventory.items WHERE id = $1;

-- name: CreateItem :one
INSERT INTO inventory.items (color, quantity) VALUES ($1, $2) RETURNING *;

-- name: BatchAddBooks :batchexec
-- @unnest
-- The whole batch as one statement.
INSERT INTO books (author_id, title, price) VALUES ($1, $2, $3);
