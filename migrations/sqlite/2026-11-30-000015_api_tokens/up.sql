-- Personal API tokens (issue 11): a collector's phone sends one as
-- `Authorization: Bearer <token>` to record the day's payments. A token belongs to one
-- user in one commune; it works while the user holds the collector (or admin) role there
-- and is not disabled, and until it is revoked. Only the token's SHA-256 is kept (see
-- src/accounts/tokens.rs), and a hint of its last characters to tell tokens apart.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    label TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    hint TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, commune_id);

-- A phone sends the taxpayer's reference as the collector typed it: "dkp-t0003" finds
-- DKP-T0003 through this index, without reading the register.
CREATE INDEX taxpayers_ref_upper ON taxpayers (commune_id, upper(ref));
