CREATE TYPE mood AS ENUM ('happy', 'sad face');

CREATE TABLE posts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title text NOT NULL,
    tags text[] NOT NULL DEFAULT '{}',
    reviewer_ids bigint[] NOT NULL DEFAULT '{}',
    moods mood[] NOT NULL DEFAULT '{}'
);
