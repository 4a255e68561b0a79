-- name: InsertKinds :one
INSERT INTO kinds (
    c_int2, c_int4, c_int8, c_float4, c_float8, c_numeric, c_bool, c_text, c_varchar, c_char,
    c_bytea, c_uuid, c_date, c_time, c_timetz, c_timestamp, c_timestamptz, c_interval, c_inet,
    c_cidr, c_macaddr, c_json, c_jsonb, c_int4range, c_int8range, c_numrange, c_tstzrange,
    c_daterange, c_int4multirange, c_money, c_bit, c_varbit, c_tsvector, c_oid, c_int_array,
    c_text_grid, c_mood, c_mood_array, c_mood_grid, c_domain, c_email, c_color
) VALUES (
    $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
    $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38,
    $39, $40, $41, $42
) RETURNING id;

-- name: GetKinds :one
SELECT * FROM kinds WHERE id = $1;

-- name: InsertClass :exec
INSERT INTO "class" ("from", "def", "größe", "1st", "self", "row", "datetime")
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: ListClass :many
SELECT * FROM "class" ORDER BY "from";
