-- An administrator invites an existing account into a role in their commune: the role
-- is granted only when the account's owner accepts through the link mailed to them.
-- Only the token's SHA-256 is kept.
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    invited_by BIGINT REFERENCES users (id),
    expires_at TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX invitations_user ON invitations (user_id);
