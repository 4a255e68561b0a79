-- name: ListRoomsWithHost :many
-- The join case: a page of the lobby with each room's host as a nested Struct.
SELECT sqlc.embed(rooms), sqlc.embed(users)
FROM rooms JOIN users ON users.id = rooms.host_id
WHERE rooms.id > sqlc.arg(after_id)
ORDER BY rooms.id
LIMIT sqlc.arg(page_size);

-- name: CopyScores :copyfrom
INSERT INTO bench_scores (user_id, song_id, score, accuracy, grade) VALUES ($1, $2, $3, $4, $5);

-- name: BatchCreateScores :batchexec
-- @unnest
INSERT INTO bench_scores (user_id, song_id, score, accuracy, grade) VALUES ($1, $2, $3, $4, $5);
