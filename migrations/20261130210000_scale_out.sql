-- migrate:up
-- Login failures and registrations, counted by every worker and instance alike.
CREATE TABLE auth_attempts (
    id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key text        NOT NULL,
    at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX auth_attempts_key_at_idx ON auth_attempts (key, at);
CREATE INDEX auth_attempts_at_idx ON auth_attempts (at);

-- Pruning deletes refresh tokens that others point to (ON DELETE SET NULL): without this
-- index every deleted row would scan the table.
CREATE INDEX refresh_tokens_replaced_by_id_idx ON refresh_tokens (replaced_by_id);

-- Every process remembers sessions and roles; these tell them all, at commit, to forget a user.
CREATE FUNCTION notify_access_changed_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('rhythm_access', OLD.id::text);
    RETURN NULL;
END
$$;

CREATE FUNCTION notify_access_changed_token() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('rhythm_access', NEW.user_id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER users_access_changed
AFTER UPDATE OF role, is_active ON users
FOR EACH ROW
WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.is_active IS DISTINCT FROM NEW.is_active)
EXECUTE FUNCTION notify_access_changed_user();

CREATE TRIGGER users_access_deleted
AFTER DELETE ON users
FOR EACH ROW
EXECUTE FUNCTION notify_access_changed_user();

CREATE TRIGGER refresh_tokens_revoked
AFTER UPDATE OF revoked_at ON refresh_tokens
FOR EACH ROW
WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
EXECUTE FUNCTION notify_access_changed_token();

-- migrate:down
DROP TRIGGER refresh_tokens_revoked ON refresh_tokens;
DROP TRIGGER users_access_deleted ON users;
DROP TRIGGER users_access_changed ON users;
DROP FUNCTION notify_access_changed_token();
DROP FUNCTION notify_access_changed_user();
DROP INDEX refresh_tokens_replaced_by_id_idx;
DROP TABLE auth_attempts;
