CREATE TYPE user_role AS ENUM ('user', 'moderator', 'admin');
CREATE TYPE room_visibility AS ENUM ('public', 'private');

CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    role user_role NOT NULL DEFAULT 'user'
);

CREATE TABLE rooms (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    host_id bigint NOT NULL REFERENCES users (id),
    visibility room_visibility NOT NULL DEFAULT 'public'
);

CREATE TABLE room_members (
    room_id bigint NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id bigint NOT NULL REFERENCES users (id),
    PRIMARY KEY (room_id, user_id)
);
