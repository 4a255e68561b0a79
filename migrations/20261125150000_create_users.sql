-- migrate:up
CREATE TYPE user_role AS ENUM ('USER', 'MODERATOR', 'ADMIN');

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text        NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
    display_name  text        NOT NULL CHECK (length(display_name) BETWEEN 1 AND 64),
    password_hash text        NOT NULL,
    role          user_role   NOT NULL DEFAULT 'USER',
    is_active     boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Email is unique regardless of case; lookups go through lower(email) so they use this index.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
-- Keyset pagination of the user list, optionally by role.
CREATE INDEX users_role_id_idx ON users (role, id);

-- migrate:down
DROP TABLE users;
DROP TYPE user_role;
