-- The foundation: communes, districts, accounts, roles, sessions support, audit log.
-- SQLite: INTEGER PRIMARY KEY is the 64-bit rowid; timestamps are UTC text.

CREATE TABLE app_settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE communes (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    country TEXT NOT NULL CHECK (country IN ('SN', 'BJ')),
    currency TEXT NOT NULL DEFAULT 'XOF',
    timezone TEXT NOT NULL,
    default_locale TEXT NOT NULL CHECK (default_locale IN ('fr', 'en')),
    code TEXT NOT NULL UNIQUE,
    audit_seq BIGINT NOT NULL DEFAULT 0,
    audit_head TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE districts (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('quartier', 'arrondissement', 'zone', 'village')),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (commune_id, name)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    locale TEXT,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE user_roles (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    role TEXT NOT NULL CHECK (role IN ('admin', 'finance_officer', 'collector', 'treasurer', 'councillor', 'reviewer', 'citizen')),
    granted_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, commune_id, role)
);
CREATE INDEX user_roles_commune ON user_roles (commune_id, role);

CREATE TABLE password_resets (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    seq BIGINT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id BIGINT REFERENCES users (id),
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (commune_id, seq)
);

-- The log is append-only: the database refuses edits made through ordinary SQL.
-- (Someone with file access can still drop the trigger; `commune audit verify` catches that.)
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
