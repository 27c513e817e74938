-- Payments received at the counter, each with its receipt number, and how each was
-- spread over the taxpayer's lines. A recorded payment is never edited or deleted: a
-- mistake is corrected by a later entry, so the receipts and the account always agree.
CREATE TABLE payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    taxpayer_id BIGINT NOT NULL REFERENCES taxpayers (id),
    -- `{commune code}-{year}-{seq}`, from the two numbers below, which are unique.
    receipt_number TEXT NOT NULL,
    receipt_year BIGINT NOT NULL,
    receipt_seq BIGINT NOT NULL CHECK (receipt_seq > 0),
    amount BIGINT NOT NULL CHECK (amount > 0),
    method TEXT NOT NULL CHECK (method IN ('cash', 'mobile_money', 'bank_transfer', 'cheque')),
    method_reference TEXT,
    received_by BIGINT NOT NULL REFERENCES users (id),
    received_at TIMESTAMP NOT NULL,
    -- The one-time token of the form that recorded it: a form sent twice records once.
    form_token TEXT NOT NULL,
    UNIQUE (commune_id, receipt_number),
    UNIQUE (commune_id, receipt_year, receipt_seq),
    UNIQUE (commune_id, form_token)
);
CREATE INDEX payments_taxpayer ON payments (taxpayer_id);
CREATE INDEX payments_received_by ON payments (commune_id, received_by, received_at);
-- One mobile-money, transfer or cheque reference pays once.
CREATE UNIQUE INDEX payments_method_reference ON payments (commune_id, method, method_reference)
    WHERE method_reference IS NOT NULL;

CREATE TABLE payment_allocations (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    payment_id BIGINT NOT NULL REFERENCES payments (id),
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    UNIQUE (payment_id, assessment_id)
);
CREATE INDEX payment_allocations_assessment ON payment_allocations (assessment_id);

CREATE TRIGGER payments_kept BEFORE UPDATE ON payments
BEGIN
    SELECT RAISE(ABORT, 'a recorded payment cannot change');
END;
CREATE TRIGGER payments_not_deleted BEFORE DELETE ON payments
BEGIN
    SELECT RAISE(ABORT, 'a recorded payment cannot change');
END;
CREATE TRIGGER payment_allocations_kept BEFORE UPDATE ON payment_allocations
BEGIN
    SELECT RAISE(ABORT, 'a recorded payment cannot change');
END;
CREATE TRIGGER payment_allocations_not_deleted BEFORE DELETE ON payment_allocations
BEGIN
    SELECT RAISE(ABORT, 'a recorded payment cannot change');
END;
