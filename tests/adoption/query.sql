-- name: CreateArtist :one
INSERT INTO artists (name, country) VALUES ($1, $2) RETURNING *;

-- name: GetArtist :one
SELECT * FROM artists WHERE id = $1;

-- name: ListArtists :many
-- Every artist, or those of one country.
SELECT * FROM artists
WHERE sqlc.narg(country)::text IS NULL OR country = sqlc.narg(country)
ORDER BY name;

-- name: AddTracks :copyfrom
INSERT INTO tracks (artist_id, title, genre, bpm, meta) VALUES ($1, $2, $3, $4, $5);

-- name: TracksByGenre :many
SELECT sqlc.embed(tracks), sqlc.embed(artists)
FROM tracks JOIN artists ON artists.id = tracks.artist_id
WHERE tracks.genre = $1
ORDER BY tracks.id;

-- name: SetBpm :execrows
UPDATE tracks SET bpm = sqlc.narg(bpm) WHERE artist_id = @artist_id;

-- name: CountTracks :one
SELECT count(*) FROM tracks;

-- name: RenameArtists :batchexec
UPDATE artists SET name = $2 WHERE id = $1;

-- name: GetArtists :batchone
SELECT * FROM artists WHERE id = $1;

-- name: DeleteArtist :exec
DELETE FROM artists WHERE id = $1;
