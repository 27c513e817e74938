DROP TABLE bank_lines;
DROP TRIGGER payments_cashup_kept;
DROP INDEX payments_not_deposited;
DROP INDEX payments_cashup;
ALTER TABLE payments DROP COLUMN cashup_id;
DROP TABLE cashups;
DELETE FROM imports WHERE kind = 'bank';
CREATE TABLE imports_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    kind TEXT NOT NULL CHECK (kind IN ('taxpayers', 'items', 'roll', 'voters', 'spending')),
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    rows BIGINT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    user_id BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
INSERT INTO imports_old SELECT id, commune_id, kind, file_name, file_sha256, rows, created, updated, user_id, created_at FROM imports;
DROP TABLE imports;
ALTER TABLE imports_old RENAME TO imports;
