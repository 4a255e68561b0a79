-- name: InsertAuditEvent :exec
INSERT INTO audit_events (event_type, actor_id, target_id, session_id, request_id, ip_address, details)
VALUES (
    sqlc.arg(event_type), sqlc.narg(actor_id), sqlc.narg(target_id), sqlc.narg(session_id),
    sqlc.narg(request_id), sqlc.narg(ip_address), sqlc.arg(details)
);

-- name: ListAuditEvents :many
-- Newest first, below before_id (keyset); optionally one type, one user as actor or target.
SELECT * FROM audit_events
WHERE id < sqlc.arg(before_id)
  AND (sqlc.narg(event_type)::text IS NULL OR event_type = sqlc.narg(event_type))
  AND (sqlc.narg(user_id)::bigint IS NULL
       OR actor_id = sqlc.narg(user_id) OR target_id = sqlc.narg(user_id))
ORDER BY id DESC
LIMIT sqlc.arg(page_size);
