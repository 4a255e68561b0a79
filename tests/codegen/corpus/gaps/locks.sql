-- name: LockCarrier :one
SELECT pg_advisory_lock($1);

-- name: TryLockCarrier :one
SELECT pg_try_advisory_lock($1);

-- name: UnlockAll :one
SELECT pg_advisory_unlock_all();

-- name: NotifyCarriers :many
SELECT pg_notify(sqlc.arg(channel), sqlc.arg(payload)::text);

-- name: LockCarriersBatch :batchone
SELECT pg_advisory_xact_lock($1);
