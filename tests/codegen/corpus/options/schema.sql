CREATE TYPE user_status AS ENUM ('active', 'banned');
CREATE TYPE unused_kind AS ENUM ('x', 'y');

CREATE TABLE users (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    display_name text        NOT NULL,
    status       user_status NOT NULL DEFAULT 'active',
    location     point
);

CREATE TABLE audit_entries (
    id   bigserial PRIMARY KEY,
    kind unused_kind NOT NULL
);
