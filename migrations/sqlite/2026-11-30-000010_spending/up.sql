-- The execution of the budget, recorded by the ordonnateur's services: commitments
-- (engagements) against a spending article's open credits, payment orders (mandats)
-- against a commitment, paid once by the comptable (the treasurer), and revenue titles
-- (titres de recette) for what does not pass the counter (State transfers, grants,
-- loans). The compte administratif is produced from these rows, never typed in.
CREATE TABLE budget_commitments (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    fiscal_year BIGINT NOT NULL,
    reference TEXT NOT NULL,
    article TEXT NOT NULL,
    label TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    committed_on DATE NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (commune_id, fiscal_year, reference)
);
CREATE INDEX budget_commitments_article ON budget_commitments (commune_id, fiscal_year, article);

CREATE TABLE budget_orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    fiscal_year BIGINT NOT NULL,
    number TEXT NOT NULL,
    commitment_id BIGINT NOT NULL REFERENCES budget_commitments (id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    ordered_on DATE NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    paid_on DATE,
    paid_by BIGINT REFERENCES users (id),
    UNIQUE (commune_id, fiscal_year, number)
);
CREATE INDEX budget_orders_commitment ON budget_orders (commitment_id);

CREATE TABLE budget_titles (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    fiscal_year BIGINT NOT NULL,
    reference TEXT NOT NULL,
    article TEXT NOT NULL,
    label TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    issued_on DATE NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (commune_id, fiscal_year, reference)
);

-- The import journal records files of execution records too (SQLite cannot change a
-- CHECK in place: the table is rebuilt, with the same columns; nothing references it).
CREATE TABLE imports_new (
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
INSERT INTO imports_new SELECT id, commune_id, kind, file_name, file_sha256, rows, created, updated, user_id, created_at FROM imports;
DROP TABLE imports;
ALTER TABLE imports_new RENAME TO imports;
