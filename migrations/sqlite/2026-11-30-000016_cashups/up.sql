-- The collectors' cash-ups (arrêtés de caisse), their deposits with the treasurer
-- (versements) and the bank statement lines they are reconciled with (issue 11).
-- See src/revenue/treasury/mod.rs for the whole flow.
--
-- A collector declares a cash-up: every receipt they issued that no cash-up holds yet,
-- and the cash they counted. The treasurer counts it again and validates it: the cash
-- received, the difference with the cash receipts (a note when there is one), and a
-- deposit number, gap-free per commune and year. From then on its figures never change;
-- only its state moves on, deposited → reconciled, when the bank's statement shows the
-- deposit.
CREATE TABLE cashups (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    collector_id BIGINT NOT NULL REFERENCES users (id),
    -- The commune's date when it was declared.
    day DATE NOT NULL,
    declared_at TIMESTAMP NOT NULL,
    -- The receipts it holds that are not cancelled, and their cash and other totals
    -- (as declared; brought up to date when validated, if one was cancelled meanwhile).
    receipts BIGINT NOT NULL CHECK (receipts >= 0),
    cash_expected BIGINT NOT NULL CHECK (cash_expected >= 0),
    other_total BIGINT NOT NULL CHECK (other_total >= 0),
    -- The cash the collector counted and handed over.
    cash_declared BIGINT NOT NULL CHECK (cash_declared >= 0),
    status TEXT NOT NULL DEFAULT 'declared'
        CHECK (status IN ('declared', 'deposited', 'reconciled')),
    -- The treasurer's count, and received minus expected (negative: a shortfall).
    cash_received BIGINT CHECK (cash_received >= 0),
    difference BIGINT,
    note TEXT,
    validated_by BIGINT REFERENCES users (id),
    validated_at TIMESTAMP,
    deposit_number TEXT,
    deposit_year BIGINT,
    deposit_seq BIGINT CHECK (deposit_seq > 0),
    UNIQUE (commune_id, deposit_number),
    UNIQUE (commune_id, deposit_year, deposit_seq),
    -- Whoever collected the money never validates its deposit.
    CHECK (validated_by IS NULL OR validated_by <> collector_id),
    CHECK ((status = 'declared') = (validated_by IS NULL)),
    CHECK (validated_by IS NULL OR (cash_received IS NOT NULL AND difference IS NOT NULL
        AND validated_at IS NOT NULL AND deposit_number IS NOT NULL))
);
CREATE INDEX cashups_status ON cashups (commune_id, status, id);
CREATE INDEX cashups_collector ON cashups (commune_id, collector_id, id);

CREATE TRIGGER cashups_declared_kept BEFORE UPDATE OF id, commune_id, collector_id, day,
        declared_at, cash_declared ON cashups
BEGIN
    SELECT RAISE(ABORT, 'a cash-up cannot change');
END;
CREATE TRIGGER cashups_validated_kept BEFORE UPDATE OF receipts, cash_expected, other_total,
        cash_received, difference, note, validated_by, validated_at, deposit_number,
        deposit_year, deposit_seq ON cashups
    WHEN OLD.status <> 'declared'
BEGIN
    SELECT RAISE(ABORT, 'a validated cash-up cannot change');
END;
CREATE TRIGGER cashups_not_deleted BEFORE DELETE ON cashups
BEGIN
    SELECT RAISE(ABORT, 'a cash-up cannot change');
END;

-- The cash-up a receipt was declared in: set once (the triggers of payments let a later
-- column change; this one keeps it).
ALTER TABLE payments ADD COLUMN cashup_id BIGINT REFERENCES cashups (id);
CREATE INDEX payments_cashup ON payments (cashup_id) WHERE cashup_id IS NOT NULL;
-- What is not deposited yet, by collector: the cash-up to declare, the treasurer's day.
CREATE INDEX payments_not_deposited ON payments (commune_id, received_by)
    WHERE status = 'recorded';
CREATE TRIGGER payments_cashup_kept BEFORE UPDATE OF cashup_id ON payments
    WHEN OLD.cashup_id IS NOT NULL AND NEW.cashup_id IS NOT OLD.cashup_id
BEGIN
    SELECT RAISE(ABORT, 'a receipt stays in its cash-up');
END;

-- The import journal records bank statements too (SQLite cannot change a CHECK in
-- place: the table is rebuilt, with the same columns). Nothing references it, so that
-- the next kind of import can rebuild it again: a statement line names its import
-- without a foreign key.
CREATE TABLE imports_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    kind TEXT NOT NULL CHECK (kind IN ('taxpayers', 'items', 'roll', 'voters', 'spending', 'bank')),
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

-- Each line of an imported bank statement, what it matched and, when nothing, why.
CREATE TABLE bank_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    -- The statement: its import in the journal (see above for why no foreign key).
    import_id BIGINT NOT NULL,
    line BIGINT NOT NULL,
    booked_on DATE NOT NULL,
    reference TEXT NOT NULL,
    amount BIGINT NOT NULL,
    label TEXT NOT NULL,
    -- A deposit or a receipt reconciled by this line, one reconciled already, or nothing.
    outcome TEXT NOT NULL CHECK (outcome IN ('deposit', 'payment', 'already', 'unmatched')),
    reason TEXT CHECK (reason IN ('unknown_reference', 'amount_differs', 'cancelled',
        'not_a_credit')),
    -- The amount the deposit or receipt holds, when the line's differs.
    expected BIGINT,
    cashup_id BIGINT REFERENCES cashups (id),
    payment_id BIGINT REFERENCES payments (id),
    UNIQUE (import_id, line),
    CHECK ((outcome = 'unmatched') = (reason IS NOT NULL))
);
CREATE INDEX bank_lines_outcome ON bank_lines (commune_id, outcome, id);
CREATE INDEX bank_lines_cashup ON bank_lines (cashup_id) WHERE cashup_id IS NOT NULL;
CREATE TRIGGER bank_lines_kept BEFORE UPDATE ON bank_lines
BEGIN
    SELECT RAISE(ABORT, 'a bank statement line cannot change');
END;
CREATE TRIGGER bank_lines_not_deleted BEFORE DELETE ON bank_lines
BEGIN
    SELECT RAISE(ABORT, 'a bank statement line cannot change');
END;
