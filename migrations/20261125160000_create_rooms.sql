-- migrate:up
CREATE TYPE room_status AS ENUM ('OPEN', 'IN_MATCH', 'CLOSED');
CREATE TYPE room_visibility AS ENUM ('PUBLIC', 'PRIVATE');
CREATE TYPE difficulty AS ENUM ('EASY', 'NORMAL', 'HARD', 'EXPERT');

CREATE TABLE rooms (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text            NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    host_id      bigint          NOT NULL REFERENCES users (id),
    status       room_status     NOT NULL DEFAULT 'OPEN',
    visibility   room_visibility NOT NULL DEFAULT 'PUBLIC',
    invite_code  text,
    max_players  integer         NOT NULL CHECK (max_players BETWEEN 2 AND 16),
    song_id      text            CHECK (length(song_id) BETWEEN 1 AND 128),
    difficulty   difficulty,
    -- Kept by the service under the room's row lock; the CHECK is the last line of defence.
    member_count integer         NOT NULL DEFAULT 0
                                 CHECK (member_count >= 0 AND member_count <= max_players),
    -- Sequence number of the room's last event: clients detect gaps with it.
    event_seq    bigint          NOT NULL DEFAULT 0,
    created_at   timestamptz     NOT NULL DEFAULT now(),
    updated_at   timestamptz     NOT NULL DEFAULT now(),
    closed_at    timestamptz,
    CONSTRAINT rooms_invite_code_iff_private
        CHECK ((visibility = 'PRIVATE') = (invite_code IS NOT NULL)),
    CONSTRAINT rooms_closed_at_iff_closed CHECK ((status = 'CLOSED') = (closed_at IS NOT NULL))
);

-- The lobby: open public rooms in id order.
CREATE INDEX rooms_lobby_idx ON rooms (id) WHERE status = 'OPEN' AND visibility = 'PUBLIC';

-- Members of rooms that are not closed (closing a room removes them).
CREATE TABLE room_members (
    room_id   bigint      NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id   bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    is_ready  boolean     NOT NULL DEFAULT false,
    joined_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (room_id, user_id)
);

-- A user is in at most one room at a time, whatever the code does.
CREATE UNIQUE INDEX room_members_one_room_per_user ON room_members (user_id);

-- migrate:down
DROP TABLE room_members;
DROP TABLE rooms;
DROP TYPE difficulty;
DROP TYPE room_visibility;
DROP TYPE room_status;
