-- Real-world shapes a review found broken: tables named like what the generated modules
-- import, arrays whose values psycopg would type otherwise, composites with bytea and json.
CREATE TYPE color AS ENUM ('red', 'green', 'blue');
CREATE TYPE span AS (lo int, hi int);
CREATE TYPE blob AS (label text, data bytea, doc jsonb, raw json);

CREATE TABLE connections (id bigserial PRIMARY KEY, host text NOT NULL);
CREATE TABLE async_connections (id bigserial PRIMARY KEY, host text NOT NULL);
CREATE TABLE raw_cursors (id bigserial PRIMARY KEY);
CREATE TABLE jsons (id bigserial PRIMARY KEY, doc jsonb NOT NULL, raw json);
CREATE TABLE ranges (id bigserial PRIMARY KEY, during int4range NOT NULL, sizes int8multirange);
CREATE TABLE protocols (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE finals (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE iterables (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE iterators (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE async_iterators (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE composites (id bigserial PRIMARY KEY, extent span NOT NULL);
CREATE TABLE json_fields (id bigserial PRIMARY KEY);

CREATE TABLE posts (
    id bigserial PRIMARY KEY,
    tag_ids bigint[] NOT NULL DEFAULT '{}',
    small_ids smallint[] NOT NULL DEFAULT '{}',
    scores real[] NOT NULL DEFAULT '{}',
    weights double precision[] NOT NULL DEFAULT '{}',
    prices numeric[] NOT NULL DEFAULT '{}',
    codes varchar(8)[] NOT NULL DEFAULT '{}',
    letters char(2)[] NOT NULL DEFAULT '{}',
    docs jsonb[] NOT NULL DEFAULT '{}',
    raws json[],
    colors color[] NOT NULL DEFAULT '{}'
);

CREATE TABLE blob_rows (id bigserial PRIMARY KEY, item blob NOT NULL);

CREATE TABLE numbers (n int NOT NULL);
