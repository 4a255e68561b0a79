-- name: CountAttempts :many
-- Attempts per key within the window, and seconds until the oldest of them leaves it.
-- The database's clock: every instance counts against the same one.
SELECT key,
       count(*)::int AS hits,
       extract(
           epoch FROM min(at) + make_interval(secs => sqlc.arg(window_s)::float8)
               - clock_timestamp()
       )::float8 AS wait_s
FROM auth_attempts
WHERE key = ANY (sqlc.arg(keys)::text[])
  AND at > clock_timestamp() - make_interval(secs => sqlc.arg(window_s)::float8)
GROUP BY key;

-- name: RecordAttempts :exec
INSERT INTO auth_attempts (key) SELECT unnest(sqlc.arg(keys)::text[]);

-- name: ClearAttempts :exec
DELETE FROM auth_attempts WHERE key = sqlc.arg(key);

-- name: PruneAttempts :execrows
DELETE FROM auth_attempts
WHERE at < clock_timestamp() - make_interval(secs => sqlc.arg(older_than_s)::float8);

-- name: ForgiveAttempts :exec
-- Takes back one attempt of each key (its newest): an attempt recorded before it was judged
-- that turned out not to count (refused, succeeded, or never ran). SKIP LOCKED: concurrent
-- forgivers each take back a row of their own.
DELETE FROM auth_attempts
WHERE id IN (
    SELECT newest.id
    FROM unnest(sqlc.arg(keys)::text[]) AS k (key)
    CROSS JOIN LATERAL (
        SELECT a.id FROM auth_attempts AS a
        WHERE a.key = k.key
        ORDER BY a.id DESC
        LIMIT 1
        FOR UPDATE SKIP LOCKED
    ) AS newest
);
