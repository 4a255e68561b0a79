-- migrate:up
CREATE TABLE refresh_tokens (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id        bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- SHA-256 of the opaque token: the token itself is never stored.
    token_hash     bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    family_id      uuid        NOT NULL,
    issued_at      timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    rotated_at     timestamptz,
    revoked_at     timestamptz,
    replaced_by_id bigint      REFERENCES refresh_tokens (id) ON DELETE SET NULL,
    user_agent     text        CHECK (length(user_agent) <= 512),
    ip_address     inet
);

CREATE INDEX refresh_tokens_user_id_idx ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family_id_idx ON refresh_tokens (family_id);

-- migrate:down
DROP TABLE refresh_tokens;
