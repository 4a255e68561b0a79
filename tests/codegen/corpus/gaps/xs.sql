-- name: XStats :many
SELECT x_stats.id, carriers.name, x_stats.hits AS value
FROM x_stats JOIN carriers ON carriers.id = x_stats.carrier_id ORDER BY x_stats.id;

-- name: CarrierStats :many
SELECT carrier_id, sum(hits)::bigint AS hits FROM x_stats GROUP BY carrier_id ORDER BY carrier_id;
