-- name: GetUserByID :one
-- Fetch one user by primary key.
SELECT * FROM users WHERE id = $1 AND deleted_at IS NULL;

-- name: GetUserByEmail :one
-- Emails are unique regardless of case; this lookup uses users_email_lower_key.
SELECT * FROM users WHERE lower(email) = lower(sqlc.arg(email));

-- name: CreateUser :one
INSERT INTO users (email, display_name, password_hash, role)
VALUES (sqlc.arg(email), sqlc.arg(display_name), sqlc.arg(password_hash), sqlc.arg(role))
RETURNING *;

-- name: ListUsers :many
-- Keyset pagination by id, optionally filtered by role (NULL = every role).
SELECT * FROM users
WHERE id > sqlc.arg(after_id) AND deleted_at IS NULL
  AND (sqlc.narg(role)::user_role IS NULL OR role = sqlc.narg(role))
ORDER BY id
LIMIT sqlc.arg(page_size);

-- name: UpdateDisplayName :one
UPDATE users SET display_name = sqlc.arg(display_name), updated_at = now()
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: UpdatePasswordHash :execrows
UPDATE users SET password_hash = sqlc.arg(password_hash), updated_at = now()
WHERE id = sqlc.arg(id);

-- name: UpdateRole :one
UPDATE users SET role = sqlc.arg(role), updated_at = now()
WHERE id = sqlc.arg(id) AND deleted_at IS NULL
RETURNING *;

-- name: SetActive :one
-- Enable or disable an account (disabling also revokes its refresh tokens, in the service).
UPDATE users SET is_active = sqlc.arg(is_active), updated_at = now()
WHERE id = sqlc.arg(id) AND deleted_at IS NULL
RETURNING *;

-- name: LockActiveAdmins :many
-- The enabled admins, locked in id order: two admins deleting each other
-- at once cannot both see the other one left.
SELECT id FROM users
WHERE role = 'ADMIN' AND is_active AND deleted_at IS NULL
ORDER BY id
FOR UPDATE;

-- name: EraseUser :one
-- Deletes an account's personal data, keeps an anonymous tombstone
-- (docs/accounts.md). The placeholder email has no '@': no sign-up can claim it.
UPDATE users
SET email = 'deleted:' || id, display_name = 'Deleted user', password_hash = '',
    role = 'USER', is_active = false, deleted_at = now(), updated_at = now(),
    email_verified_at = NULL
WHERE id = $1 AND deleted_at IS NULL
RETURNING *;

-- name: MarkEmailVerified :one
-- Returns the id only when the address was not verified yet (the change to audit).
UPDATE users SET email_verified_at = now(), updated_at = now()
WHERE id = sqlc.arg(id) AND deleted_at IS NULL AND email_verified_at IS NULL
RETURNING id;

-- name: ChangeEmail :one
-- A new address is unproven until its own link is used.
UPDATE users SET email = sqlc.arg(email), email_verified_at = NULL, updated_at = now()
WHERE id = sqlc.arg(id) AND deleted_at IS NULL
RETURNING *;

-- name: IsEmailVerified :one
SELECT (email_verified_at IS NOT NULL)::boolean AS verified FROM users WHERE id = $1;
