-- name: CreateRoom :one
INSERT INTO rooms (name, host_id, visibility) VALUES ($1, $2, $3) RETURNING *;

-- name: JoinRoom :exec
INSERT INTO room_members (room_id, user_id) VALUES ($1, $2);

-- name: ListRooms :many
SELECT * FROM rooms WHERE visibility = $1 ORDER BY id;

-- name: ListMembers :many
SELECT users.id, users.email, users.role FROM room_members
JOIN users ON users.id = room_members.user_id
WHERE room_members.room_id = $1 ORDER BY users.id;
