-- A second benchmark schema, unlike the app's: a shop with wide rows of many column types.
CREATE TYPE order_status AS ENUM ('PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED');

CREATE TABLE customers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id uuid        NOT NULL UNIQUE,
    email       text        NOT NULL,
    full_name   text        NOT NULL,
    country     char(2)     NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku        text          NOT NULL UNIQUE,
    name       text          NOT NULL,
    price      numeric(12, 2) NOT NULL,
    tags       text[]        NOT NULL DEFAULT '{}',
    attributes jsonb         NOT NULL DEFAULT '{}',
    in_stock   boolean       NOT NULL DEFAULT true
);

-- 22 columns: numeric, uuid, timestamptz, date, jsonb, text[], int[], bigint[], bool, bytea,
-- double precision, an enum, nullable columns.
CREATE TABLE orders (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id      uuid          NOT NULL,
    customer_id    bigint        NOT NULL REFERENCES customers (id),
    status         order_status  NOT NULL,
    currency       text          NOT NULL,
    subtotal       numeric(12, 2) NOT NULL,
    tax            numeric(12, 2) NOT NULL,
    shipping       numeric(12, 2) NOT NULL,
    discount       numeric(12, 2),
    total          numeric(12, 2) NOT NULL,
    product_ids    bigint[]      NOT NULL,
    quantities     integer[]     NOT NULL,
    tags           text[]        NOT NULL,
    metadata       jsonb         NOT NULL,
    notes          text,
    gift           boolean       NOT NULL,
    signature      bytea,
    weight_kg      double precision,
    ship_by        date          NOT NULL,
    delivered_on   date,
    created_at     timestamptz   NOT NULL,
    shipped_at     timestamptz
);
CREATE INDEX orders_customer ON orders (customer_id);

CREATE TABLE order_lines (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id   bigint        NOT NULL,
    product_id bigint        NOT NULL,
    quantity   integer       NOT NULL,
    unit_price numeric(12, 2) NOT NULL,
    note       text
);
