-- name: CreateRoom :one
INSERT INTO rooms (name, host_id, visibility, invite_code, max_players, song_id, difficulty)
VALUES (
    sqlc.arg(name), sqlc.arg(host_id), sqlc.arg(visibility), sqlc.narg(invite_code),
    sqlc.arg(max_players), sqlc.narg(song_id), sqlc.narg(difficulty)
)
RETURNING *;

-- name: GetRoom :one
SELECT * FROM rooms WHERE id = $1;

-- name: LockRoom :one
-- Every change to a room starts here: the row lock serialises them, so capacity checks,
-- host hand-over and event sequence numbers need no further coordination.
SELECT * FROM rooms WHERE id = $1 FOR UPDATE;

-- name: ListLobby :many
-- Open public rooms, keyset-paginated by id; song and free-seat filters are optional.
SELECT * FROM rooms
WHERE status = 'OPEN' AND visibility = 'PUBLIC'
  AND id > sqlc.arg(after_id)
  AND (sqlc.narg(song_id)::text IS NULL OR song_id = sqlc.narg(song_id))
  AND (NOT sqlc.arg(free_seats_only)::boolean OR member_count < max_players)
ORDER BY id
LIMIT sqlc.arg(page_size);

-- name: ListMembers :many
-- Members in order of arrival: the first is the next host.
SELECT m.user_id, u.display_name, m.is_ready, m.joined_at
FROM room_members m
JOIN users u ON u.id = m.user_id
WHERE m.room_id = $1
ORDER BY m.joined_at, m.user_id;

-- name: AddMember :exec
-- Raises a unique violation (room_members_one_room_per_user) when the user is in another room.
INSERT INTO room_members (room_id, user_id) VALUES (sqlc.arg(room_id), sqlc.arg(user_id));

-- name: RemoveMember :execrows
DELETE FROM room_members WHERE room_id = sqlc.arg(room_id) AND user_id = sqlc.arg(user_id);

-- name: RemoveAllMembers :execrows
DELETE FROM room_members WHERE room_id = $1;

-- name: SetReady :execrows
UPDATE room_members SET is_ready = sqlc.arg(is_ready)
WHERE room_id = sqlc.arg(room_id) AND user_id = sqlc.arg(user_id);

-- name: ClearReady :execrows
UPDATE room_members SET is_ready = false WHERE room_id = $1;

-- name: SetMemberCount :exec
UPDATE rooms SET member_count = sqlc.arg(member_count), updated_at = now()
WHERE id = sqlc.arg(id);

-- name: SetHost :exec
UPDATE rooms SET host_id = sqlc.arg(host_id), updated_at = now() WHERE id = sqlc.arg(id);

-- name: UpdateRoomSettings :one
UPDATE rooms
SET name = sqlc.arg(name), song_id = sqlc.narg(song_id), difficulty = sqlc.narg(difficulty),
    max_players = sqlc.arg(max_players), visibility = sqlc.arg(visibility),
    invite_code = sqlc.narg(invite_code), updated_at = now()
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: SetRoomStatus :exec
UPDATE rooms
SET status = sqlc.arg(status),
    closed_at = CASE WHEN sqlc.arg(status) = 'CLOSED'::room_status THEN now() END,
    updated_at = now()
WHERE id = sqlc.arg(id);

-- name: NextEventSeq :one
UPDATE rooms SET event_seq = event_seq + 1 WHERE id = $1 RETURNING event_seq;

-- name: NotifyRoom :exec
-- NOTIFY inside the caller's transaction: listeners hear it only if the change commits.
SELECT pg_notify(sqlc.arg(channel)::text, sqlc.arg(payload)::text);

-- name: GetMemberRoom :one
-- The room a user is in, if any (at most one, by room_members_one_room_per_user).
SELECT room_id FROM room_members WHERE user_id = $1;
