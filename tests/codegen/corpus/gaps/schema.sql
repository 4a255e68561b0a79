CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS ltree;
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TYPE carrier_kind AS ENUM ('road', 'rail', 'sea');

CREATE TYPE money_amount AS (
    amount numeric(12, 2),
    currency text
);

CREATE TYPE shipping_address AS (
    street text,
    city text,
    postcode text,
    located_at timestamptz,
    kind carrier_kind
);

CREATE TABLE carriers (
    id bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    kind carrier_kind NOT NULL DEFAULT 'road',
    value integer NOT NULL DEFAULT 0,
    row text,
    email citext,
    path ltree,
    embedding vector(3),
    address shipping_address,
    price money_amount
);

CREATE TABLE x_stats (
    id serial PRIMARY KEY,
    carrier_id bigint NOT NULL REFERENCES carriers (id),
    hits integer NOT NULL
);
