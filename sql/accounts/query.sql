-- name: InsertPasswordReset :exec
INSERT INTO password_resets (user_id, token_hash, expires_at)
VALUES (sqlc.arg(user_id), sqlc.arg(token_hash), sqlc.arg(expires_at));

-- name: LivePasswordReset :one
-- A link worth hashing a new password for: unused, unexpired. Reads only; consuming uses it.
SELECT user_id FROM password_resets
WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now();

-- name: ConsumePasswordReset :one
-- Uses a reset link once: only an unused, unexpired one returns its user.
UPDATE password_resets SET used_at = now()
WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
RETURNING user_id;

-- name: ExpirePasswordResets :execrows
-- After a reset, the user's other outstanding links stop working too.
UPDATE password_resets SET used_at = now()
WHERE user_id = $1 AND used_at IS NULL;

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
