-- migrate:up
-- When the current address was proven (NULL: not yet). Accounts that exist before this
-- migration start unverified, like new ones (docs/accounts.md, "Email verification").
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

-- Verification links: single use, stored only as SHA-256 hashes of the token. A link proves
-- the address it was mailed to, so it names it: a link to an address the account no longer
-- has verifies nothing.
CREATE TABLE email_verifications (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email      text        NOT NULL,
    token_hash bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);

CREATE INDEX email_verifications_user_id_idx ON email_verifications (user_id);

-- migrate:down
DROP TABLE email_verifications;
ALTER TABLE users DROP COLUMN email_verified_at;
