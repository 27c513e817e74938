-- Budget documents, per commune and fiscal year: the budget primitif, any number of
-- budgets supplémentaires (amending decisions), and the compte administratif. Each goes
-- draft → proposed → voted → approved → published, every step in the audit chain. A
-- published document is a snapshot: its CSV as published, the CSV's SHA-256 and the
-- head of the commune's audit chain at that moment; it never changes again.
CREATE TABLE budget_documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    fiscal_year BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('primitif', 'supplementaire', 'compte_administratif')),
    title TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'proposed', 'voted', 'approved', 'published')),
    -- The council's vote.
    voted_on DATE,
    deliberation TEXT,
    votes_for BIGINT CHECK (votes_for >= 0),
    votes_against BIGINT CHECK (votes_against >= 0),
    abstentions BIGINT CHECK (abstentions >= 0),
    -- The tutelle's (the prefect's) approval.
    approved_on DATE,
    approval_ref TEXT,
    -- Publication.
    published_at TIMESTAMP,
    published_csv TEXT,
    csv_sha256 TEXT,
    audit_seq BIGINT,
    audit_head TEXT,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX budget_documents_commune ON budget_documents (commune_id, fiscal_year);

-- A document's lines: an article of the country's nomenclature and its amount in
-- francs. A participatory project's line names its round and project; other articles
-- have one line each.
CREATE TABLE budget_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    document_id BIGINT NOT NULL REFERENCES budget_documents (id),
    article TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    amount BIGINT NOT NULL CHECK (amount >= 0),
    round_id BIGINT REFERENCES rounds (id),
    project_id BIGINT REFERENCES projects (id)
);
CREATE INDEX budget_lines_document ON budget_lines (document_id, article);
