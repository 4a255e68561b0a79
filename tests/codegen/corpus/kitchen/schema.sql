-- The kitchen sink: every type the plugin maps, enums, domains, a second schema, hostile names.
CREATE TYPE mood AS ENUM ('happy', 'sad face', 'it''s', 'with"quote', 'a-b', 'a b', 'None');
CREATE SCHEMA inventory;
CREATE TYPE inventory.color AS ENUM ('red', 'green');
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE DOMAIN email_address AS varchar(320);

CREATE TABLE authors (
    id         bigserial PRIMARY KEY,
    name       text        NOT NULL,
    mood       mood        NOT NULL DEFAULT 'happy',
    moods      mood[],
    bio        jsonb,
    settings   jsonb       NOT NULL DEFAULT '{"theme": "dark", "volume": 5}',
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE authors IS 'People who write books.';

CREATE TABLE books (
    id        bigserial PRIMARY KEY,
    author_id bigint  NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    title     text    NOT NULL,
    price     numeric(10, 2),
    tags      text[]  NOT NULL DEFAULT '{}'
);

CREATE TABLE inventory.items (
    id       serial PRIMARY KEY,
    color    inventory.color NOT NULL,
    quantity positive_int    NOT NULL
);

CREATE TABLE kinds (
    id               serial PRIMARY KEY,
    c_int2           smallint,
    c_int4           integer,
    c_int8           bigint,
    c_float4         real,
    c_float8         double precision,
    c_numeric        numeric,
    c_bool           boolean,
    c_text           text,
    c_varchar        varchar(10),
    c_char           char(3),
    c_bytea          bytea,
    c_uuid           uuid,
    c_date           date,
    c_time           time,
    c_timetz         timetz,
    c_timestamp      timestamp,
    c_timestamptz    timestamptz,
    c_interval       interval,
    c_inet           inet,
    c_cidr           cidr,
    c_macaddr        macaddr,
    c_json           json,
    c_jsonb          jsonb,
    c_int4range      int4range,
    c_int8range      int8range,
    c_numrange       numrange,
    c_tstzrange      tstzrange,
    c_daterange      daterange,
    c_int4multirange int4multirange,
    c_money          money,
    c_bit            bit(3),
    c_varbit         varbit,
    c_tsvector       tsvector,
    c_oid            oid,
    c_int_array      integer[],
    c_text_grid      text[][],
    c_mood           mood,
    c_mood_array     mood[],
    c_mood_grid      mood[][],
    c_domain         positive_int,
    c_email          email_address,
    c_color          inventory.color
);

-- Hostile identifiers: keywords, non-ASCII, a leading digit, names the generated code uses.
CREATE TABLE "class" (
    "from"     integer NOT NULL,
    "def"      text,
    "größe"    integer,
    "1st"      text,
    "self"     text,
    "row"      text,
    "datetime" timestamptz
);
