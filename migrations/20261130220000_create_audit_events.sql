-- migrate:up
-- The security audit trail. Rows are written in the transaction of the change they record.
-- actor_id and target_id carry no foreign key: the trail outlives the accounts it names.
CREATE TABLE audit_events (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    event_type  text        NOT NULL CHECK (event_type ~ '^[a-z_]+\.[a-z_]+$'),
    actor_id    bigint,
    target_id   bigint,
    session_id  uuid,
    request_id  text        CHECK (length(request_id) <= 128),
    ip_address  inet,
    -- Non-secret facts of the event (a role before and after, a count); never a token.
    details     jsonb       NOT NULL DEFAULT '{}'::jsonb
);

-- Newest first, optionally for one type or one user (as actor or as target).
CREATE INDEX audit_events_type_idx ON audit_events (event_type, id);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, id) WHERE actor_id IS NOT NULL;
CREATE INDEX audit_events_target_idx ON audit_events (target_id, id) WHERE target_id IS NOT NULL;

-- migrate:down
DROP TABLE audit_events;
