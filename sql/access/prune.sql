-- name: TryUpkeepLock :one
-- One instance at a time: the lock ends with the transaction (PgBouncer-safe).
SELECT pg_try_advisory_xact_lock(sqlc.arg(lock_key)::bigint) AS acquired;

-- name: PruneRefreshTokens :execrows
-- Revoked, rotated or expired refresh tokens, once the grace period has passed. A rotated
-- token kept for the grace period still reveals its reuse (and revokes its family).
DELETE FROM refresh_tokens
WHERE id IN (
    SELECT id FROM refresh_tokens
    WHERE revoked_at < now() - make_interval(secs => sqlc.arg(grace_s)::float8)
       OR rotated_at < now() - make_interval(secs => sqlc.arg(grace_s)::float8)
       OR expires_at < now() - make_interval(secs => sqlc.arg(grace_s)::float8)
    LIMIT sqlc.arg(batch_size)::int
);
