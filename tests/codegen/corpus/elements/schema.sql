CREATE TYPE mood AS ENUM ('happy', 'sad face');

CREATE TABLE posts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title text NOT NULL,
    tags text[] NOT NULL DEFAULT '{}',
    reviewer_ids bigint[] NOT NULL DEFAULT '{}',
    moods mood[] NOT NULL DEFAULT '{}'
);

CREATE TYPE money_pair AS (amount numeric, currency text);
CREATE TYPE tagged AS (label text, mood mood, raw bytea, doc jsonb, pair money_pair);

CREATE TABLE wallets (
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entries money_pair[] NOT NULL,
    grid money_pair[][],
    tags tagged[]
);
