-- API keys, stored by the SHA-256 hash of their plaintext only.
-- `scopes` holds scope wire names (`ask`, `approve`, `ingest`, `admin`).

CREATE TABLE api_keys (
    key_id text PRIMARY KEY,
    created_seq bigint GENERATED ALWAYS AS IDENTITY,
    key_hash text NOT NULL UNIQUE,
    name text NOT NULL,
    scopes text[] NOT NULL,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
);
