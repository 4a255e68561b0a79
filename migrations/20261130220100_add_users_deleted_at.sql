-- migrate:up
-- A deleted account keeps its row as an anonymous tombstone (see docs/accounts.md): rooms it
-- hosted and audit events still name its id. deleted_at marks it; queries skip such rows.
ALTER TABLE users ADD COLUMN deleted_at timestamptz;

-- migrate:down
ALTER TABLE users DROP COLUMN deleted_at;
