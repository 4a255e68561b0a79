-- name: CarrierStatsByKind :many
SELECT kind, count(*) AS carriers FROM carriers GROUP BY kind ORDER BY kind;
