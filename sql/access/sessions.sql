-- name: GetSessionAccess :one
-- What a request may do: the account's current role and state, and whether its session
-- (refresh-token family) still has a token that was not revoked.
SELECT u.role,
       u.is_active,
       EXISTS (
           SELECT 1 FROM refresh_tokens t
           WHERE t.family_id = sqlc.arg(session_id) AND t.user_id = u.id
             AND t.revoked_at IS NULL
       ) AS session_live
FROM users u
WHERE u.id = sqlc.arg(user_id);
