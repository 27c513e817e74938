PRAGMA foreign_keys = OFF;
BEGIN;
DROP INDEX payment_cancellations_commune;
DROP INDEX payment_cancellations_open;
DROP TABLE payment_cancellations;

DROP TRIGGER payments_cancelled_kept;
DROP TRIGGER payments_not_deleted;
DROP TRIGGER payments_kept;
DROP INDEX payments_verification_code;
DROP INDEX payments_method_reference;
DROP INDEX payments_tax_type;
DROP INDEX payments_paid_on;
DROP INDEX payments_received_by;
DROP INDEX payments_taxpayer;

CREATE TABLE payments_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    taxpayer_id BIGINT NOT NULL REFERENCES taxpayers (id),
    receipt_number TEXT NOT NULL,
    receipt_year BIGINT NOT NULL,
    receipt_seq BIGINT NOT NULL CHECK (receipt_seq > 0),
    amount BIGINT NOT NULL CHECK (amount > 0),
    method TEXT NOT NULL CHECK (method IN ('cash', 'mobile_money', 'bank_transfer', 'cheque')),
    method_reference TEXT,
    received_by BIGINT NOT NULL REFERENCES users (id),
    received_at TIMESTAMP NOT NULL,
    form_token TEXT NOT NULL,
    UNIQUE (commune_id, receipt_number),
    UNIQUE (commune_id, receipt_year, receipt_seq),
    UNIQUE (commune_id, form_token)
);
-- Tickets have no place in the older table.
INSERT INTO payments_old
    SELECT id, commune_id, taxpayer_id, receipt_number, receipt_year, receipt_seq, amount, method,
        method_reference, received_by, received_at, form_token
    FROM payments WHERE taxpayer_id IS NOT NULL;
DROP TABLE payments;
ALTER TABLE payments_old RENAME TO payments;
CREATE INDEX payments_taxpayer ON payments (taxpayer_id);
CREATE INDEX payments_received_by ON payments (commune_id, received_by, received_at);
CREATE UNIQUE INDEX payments_method_reference ON payments (commune_id, method, method_reference)
    WHERE method_reference IS NOT NULL;
CREATE TRIGGER payments_kept BEFORE UPDATE ON payments
BEGIN
    SELECT RAISE(ABORT, 'a recorded payment cannot change');
END;
CREATE TRIGGER payments_not_deleted BEFORE DELETE ON payments
BEGIN
    SELECT RAISE(ABORT, 'a recorded payment cannot change');
END;

ALTER TABLE communes DROP COLUMN receipt_key;
COMMIT;
PRAGMA foreign_keys = ON;
