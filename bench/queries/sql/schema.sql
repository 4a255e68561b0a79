-- Bench-only table, so that COPY and batches of inserts do not grow the app's tables.
CREATE TYPE bench_grade AS ENUM ('S', 'A', 'B', 'C', 'D');

CREATE TABLE bench_scores (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id   bigint       NOT NULL,
    song_id   text         NOT NULL,
    score     integer      NOT NULL,
    accuracy  numeric(5, 2) NOT NULL,
    grade     bench_grade  NOT NULL,
    played_at timestamptz  NOT NULL DEFAULT now()
);
