-- name: InsertPasswordReset :exec
INSERT INTO password_resets (user_id, token_hash, expires_at)
VALUES (sqlc.arg(user_id), sqlc.arg(token_hash), sqlc.arg(expires_at));

-- name: LivePasswordReset :one
-- A link worth hashing a new password for: unused, unexpired, of an enabled account. Reads
-- only; consuming uses it.
SELECT r.user_id FROM password_resets AS r
JOIN users AS u ON u.id = r.user_id
WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now()
  AND u.is_active AND u.deleted_at IS NULL;

-- name: ConsumePasswordReset :one
-- Uses a reset link once: only an unused, unexpired one of an enabled account returns its user.
UPDATE password_resets AS r SET used_at = now()
FROM users AS u
WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now()
  AND u.id = r.user_id AND u.is_active AND u.deleted_at IS NULL
RETURNING r.user_id;

-- name: ExpirePasswordResets :execrows
-- After a reset, the user's other outstanding links stop working too.
UPDATE password_resets SET used_at = now()
WHERE user_id = $1 AND used_at IS NULL;

-- name: DeleteUserPasswordResets :execrows
-- Erasing an account: its links must not outlive it.
DELETE FROM password_resets WHERE user_id = $1;

-- name: InsertEmailVerification :exec
INSERT INTO email_verifications (user_id, email, token_hash, expires_at)
VALUES (sqlc.arg(user_id), sqlc.arg(email), sqlc.arg(token_hash), sqlc.arg(expires_at));

-- name: ConsumeEmailVerification :execrows
-- Uses a verification link once: only an unused, unexpired link of this user, to the address
-- the account still has, counts.
UPDATE email_verifications AS v SET used_at = now()
FROM users AS u
WHERE v.token_hash = sqlc.arg(token_hash) AND v.user_id = sqlc.arg(user_id)
  AND v.used_at IS NULL AND v.expires_at > now()
  AND u.id = v.user_id AND u.deleted_at IS NULL AND lower(u.email) = lower(v.email);

-- name: DeleteUserEmailVerifications :execrows
-- Erasing an account: its verification links name addresses (personal data).
DELETE FROM email_verifications WHERE user_id = $1;
