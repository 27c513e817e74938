-- Revenue, part 1: the taxpayer register, taxable items, tax types, rolls, assessments,
-- adjustments and imports. Amounts are BIGINT whole francs CFA; rates are basis points.

CREATE TABLE taxpayers (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    ref TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('person', 'organisation')),
    name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    id_number TEXT,
    phone TEXT,
    email TEXT,
    district_id BIGINT REFERENCES districts (id),
    address TEXT,
    lat_e6 BIGINT,
    lon_e6 BIGINT,
    merged_into BIGINT REFERENCES taxpayers (id),
    import_batch BIGINT,
    -- UTC; the defaults serve bulk imports.
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (commune_id, ref)
);

CREATE TABLE taxable_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    taxpayer_id BIGINT NOT NULL REFERENCES taxpayers (id),
    ref TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('property', 'stall', 'business', 'vehicle', 'other')),
    district_id BIGINT REFERENCES districts (id),
    address TEXT,
    rental_value BIGINT,
    market_value BIGINT,
    area_m2 BIGINT,
    category TEXT,
    market TEXT,
    stall_number TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    import_batch BIGINT,
    -- UTC; the defaults serve bulk imports.
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (commune_id, ref)
);
CREATE INDEX taxable_items_taxpayer ON taxable_items (taxpayer_id);

CREATE TABLE tax_types (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    code TEXT NOT NULL,
    name_fr TEXT NOT NULL,
    name_en TEXT NOT NULL,
    legal_ref TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('tax', 'fee', 'penalty', 'rebate', 'exemption')),
    assessed_by TEXT NOT NULL CHECK (assessed_by IN ('state', 'commune')),
    method TEXT NOT NULL CHECK (method IN ('fixed', 'rate', 'table')),
    base TEXT CHECK (base IN ('rental_value', 'market_value', 'area', 'receipts')),
    item_kind TEXT NOT NULL CHECK (item_kind IN ('property', 'stall', 'business', 'vehicle', 'other')),
    rate_bp BIGINT,
    amount BIGINT,
    period TEXT NOT NULL CHECK (period IN ('yearly', 'monthly', 'daily')),
    due_month BIGINT NOT NULL,
    due_day BIGINT NOT NULL,
    penalty_rate_bp BIGINT NOT NULL,
    penalty_min BIGINT NOT NULL,
    penalty_flat BIGINT NOT NULL,
    penalty_grace_days BIGINT NOT NULL,
    budget_line TEXT NOT NULL,
    gfsm_code TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (commune_id, code)
);

CREATE TABLE tax_tariffs (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    tax_type_id BIGINT NOT NULL REFERENCES tax_types (id),
    category TEXT NOT NULL,
    amount BIGINT NOT NULL,
    UNIQUE (tax_type_id, category)
);

CREATE TABLE rolls (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    tax_type_id BIGINT NOT NULL REFERENCES tax_types (id),
    fiscal_year BIGINT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('generated', 'imported')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'issued')),
    line_count BIGINT NOT NULL,
    total BIGINT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    issued_by BIGINT REFERENCES users (id),
    issued_at TIMESTAMP,
    UNIQUE (commune_id, tax_type_id, fiscal_year)
);

CREATE TABLE assessments (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    roll_id BIGINT NOT NULL REFERENCES rolls (id),
    taxpayer_id BIGINT NOT NULL REFERENCES taxpayers (id),
    item_id BIGINT REFERENCES taxable_items (id),
    tax_type_id BIGINT NOT NULL REFERENCES tax_types (id),
    kind TEXT NOT NULL CHECK (kind IN ('principal', 'penalty')),
    parent_id BIGINT REFERENCES assessments (id),
    fiscal_year BIGINT NOT NULL,
    period TEXT NOT NULL,
    base BIGINT,
    rate_bp BIGINT,
    amount BIGINT NOT NULL,
    due_date DATE NOT NULL,
    reference TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (commune_id, reference)
);
CREATE INDEX assessments_taxpayer ON assessments (taxpayer_id, fiscal_year);
CREATE INDEX assessments_roll ON assessments (roll_id);
-- At most one penalty per assessment.
CREATE UNIQUE INDEX assessments_one_penalty ON assessments (parent_id);

CREATE TABLE adjustments (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    kind TEXT NOT NULL CHECK (kind IN ('reduction', 'increase', 'exemption', 'cancellation')),
    amount BIGINT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    requested_by BIGINT NOT NULL REFERENCES users (id),
    requested_at TIMESTAMP NOT NULL,
    decided_by BIGINT REFERENCES users (id),
    decided_at TIMESTAMP,
    -- Four eyes: whoever asks for an adjustment cannot decide it.
    CHECK (decided_by IS NULL OR decided_by <> requested_by)
);
CREATE INDEX adjustments_assessment ON adjustments (assessment_id);
CREATE INDEX adjustments_pending ON adjustments (commune_id, status);

CREATE TABLE imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    kind TEXT NOT NULL CHECK (kind IN ('taxpayers', 'items', 'roll')),
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    rows BIGINT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    user_id BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

-- An issued roll and its lines cannot change: only adjustments (with a second person's
-- approval) and penalties are added beside them.
CREATE TRIGGER rolls_issued_immutable BEFORE UPDATE ON rolls
WHEN OLD.status = 'issued'
BEGIN
    SELECT RAISE(ABORT, 'an issued roll cannot change');
END;
CREATE TRIGGER rolls_issued_kept BEFORE DELETE ON rolls
WHEN OLD.status = 'issued'
BEGIN
    SELECT RAISE(ABORT, 'an issued roll cannot change');
END;
CREATE TRIGGER assessments_issued_immutable BEFORE UPDATE ON assessments
WHEN (SELECT status FROM rolls WHERE id = OLD.roll_id) = 'issued'
BEGIN
    SELECT RAISE(ABORT, 'an issued roll cannot change');
END;
CREATE TRIGGER assessments_issued_kept BEFORE DELETE ON assessments
WHEN (SELECT status FROM rolls WHERE id = OLD.roll_id) = 'issued'
BEGIN
    SELECT RAISE(ABORT, 'an issued roll cannot change');
END;
