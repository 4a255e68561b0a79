-- The adoption test's own project: nothing here comes from the service.
CREATE TYPE genre AS ENUM ('rock', 'jazz', 'drum and bass');

CREATE TABLE artists (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE,
    country text
);

CREATE TABLE tracks (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    artist_id bigint NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    title text NOT NULL,
    genre genre NOT NULL,
    bpm integer,
    meta jsonb NOT NULL DEFAULT '{}'
);
