-- name: InsertRefreshToken :one
INSERT INTO refresh_tokens (user_id, token_hash, family_id, expires_at, user_agent, ip_address)
VALUES (
    sqlc.arg(user_id), sqlc.arg(token_hash), sqlc.arg(family_id), sqlc.arg(expires_at),
    sqlc.narg(user_agent), sqlc.narg(ip_address)
)
RETURNING *;

-- name: GetRefreshTokenByHashForUpdate :one
-- Locks the token row so that two concurrent refreshes cannot both rotate it.
SELECT * FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE;

-- name: RotateRefreshToken :execrows
-- Marks a token rotated and links its successor; 0 rows means it was already rotated.
UPDATE refresh_tokens
SET rotated_at = now(), replaced_by_id = sqlc.arg(replaced_by_id)
WHERE id = sqlc.arg(id) AND rotated_at IS NULL AND revoked_at IS NULL;

-- name: RevokeRefreshTokenFamily :execrows
-- Revokes every live token of a family (logout, or reuse of a rotated token).
UPDATE refresh_tokens SET revoked_at = now()
WHERE family_id = $1 AND revoked_at IS NULL;

-- name: RevokeUserRefreshTokens :execrows
-- Ends every session of a user (logout everywhere, account disabled).
UPDATE refresh_tokens SET revoked_at = now()
WHERE user_id = $1 AND revoked_at IS NULL;

-- name: RevokeOtherRefreshTokens :execrows
-- Ends every session of a user but one (after a password change).
UPDATE refresh_tokens SET revoked_at = now()
WHERE user_id = sqlc.arg(user_id) AND family_id <> sqlc.arg(keep_family_id)
  AND revoked_at IS NULL;

-- name: ListUserSessions :many
-- The live sessions of a user: each family's head token (neither rotated, revoked nor
-- expired), newest use first, with the time its family began.
SELECT head.family_id,
       (SELECT min(first.issued_at) FROM refresh_tokens AS first
        WHERE first.family_id = head.family_id)::timestamptz AS created_at,
       head.issued_at AS last_used_at,
       head.user_agent,
       head.ip_address,
       head.expires_at
FROM refresh_tokens AS head
WHERE head.user_id = $1 AND head.rotated_at IS NULL AND head.revoked_at IS NULL
  AND head.expires_at > now()
ORDER BY head.issued_at DESC, head.id DESC;

-- name: RevokeUserSession :execrows
-- Ends one session of a user; 0 rows means it is not theirs or already ended.
UPDATE refresh_tokens SET revoked_at = now()
WHERE user_id = sqlc.arg(user_id) AND family_id = sqlc.arg(family_id) AND revoked_at IS NULL;

-- name: DeleteUserRefreshTokens :execrows
-- Deleting an account drops its tokens with the addresses and user agents they recorded.
DELETE FROM refresh_tokens WHERE user_id = $1;
