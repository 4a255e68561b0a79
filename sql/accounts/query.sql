-- name: InsertPasswordReset :exec
INSERT INTO password_resets (user_id, token_hash, expires_at)
VALUES (sqlc.arg(user_id), sqlc.arg(token_hash), sqlc.arg(expires_at));

-- name: ConsumePasswordReset :one
-- Uses a reset link once: only an unused, unexpired one returns its user.
UPDATE password_resets SET used_at = now()
WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
RETURNING user_id;

-- name: ExpirePasswordResets :execrows
-- After a reset, the user's other outstanding links stop working too.
UPDATE password_resets SET used_at = now()
WHERE user_id = $1 AND used_at IS NULL;
