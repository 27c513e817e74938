-- Collection, the core (issue 11): market tickets, verifiable receipts, the states of a
-- payment, and cancellations approved by a second person.
--
-- A ticket is a payment of a daily or per-event fee with no prior roll: it names its
-- fee (tax_type_id) and, when there is no register entry, who paid (payer). So a
-- payment's taxpayer becomes optional, which SQLite allows only by rebuilding the table.
PRAGMA foreign_keys = OFF;
BEGIN;

ALTER TABLE communes ADD COLUMN receipt_key TEXT NOT NULL DEFAULT '';
UPDATE communes SET receipt_key = lower(hex(randomblob(32)));

DROP TRIGGER payments_kept;
DROP TRIGGER payments_not_deleted;
DROP INDEX payments_taxpayer;
DROP INDEX payments_received_by;
DROP INDEX payments_method_reference;

CREATE TABLE payments_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    taxpayer_id BIGINT REFERENCES taxpayers (id),
    receipt_number TEXT NOT NULL,
    receipt_year BIGINT NOT NULL,
    receipt_seq BIGINT NOT NULL CHECK (receipt_seq > 0),
    amount BIGINT NOT NULL CHECK (amount > 0),
    method TEXT NOT NULL CHECK (method IN ('cash', 'mobile_money', 'bank_transfer', 'cheque')),
    method_reference TEXT,
    received_by BIGINT NOT NULL REFERENCES users (id),
    received_at TIMESTAMP NOT NULL,
    -- The one-time token of the form, or the UUID the collector's phone made: sent
    -- twice, it records once.
    form_token TEXT NOT NULL,
    -- The day the money changed hands (a phone offline sends it later).
    paid_on DATE NOT NULL,
    -- Where it was recorded: the counter, a collector's phone, or a mobile-money provider.
    channel TEXT NOT NULL DEFAULT 'counter' CHECK (channel IN ('counter', 'api', 'mobile_money')),
    -- A ticket's fee, and who paid it when they are not in the register.
    tax_type_id BIGINT REFERENCES tax_types (id),
    payer TEXT,
    -- An HMAC of the receipt's content under the commune's receipt key (see
    -- src/revenue/payments/code.rs); NULL only for payments recorded before it existed.
    verification_code TEXT,
    -- recorded → deposited (with the treasurer) → reconciled (with the bank); or cancelled.
    status TEXT NOT NULL DEFAULT 'recorded'
        CHECK (status IN ('recorded', 'deposited', 'reconciled', 'cancelled')),
    UNIQUE (commune_id, receipt_number),
    UNIQUE (commune_id, receipt_year, receipt_seq),
    UNIQUE (commune_id, form_token),
    -- Only a ticket may have no taxpayer.
    CHECK (taxpayer_id IS NOT NULL OR tax_type_id IS NOT NULL)
);
INSERT INTO payments_new (id, commune_id, taxpayer_id, receipt_number, receipt_year, receipt_seq,
        amount, method, method_reference, received_by, received_at, form_token, paid_on)
    SELECT id, commune_id, taxpayer_id, receipt_number, receipt_year, receipt_seq, amount, method,
        method_reference, received_by, received_at, form_token, date(received_at)
    FROM payments;
DROP TABLE payments;
ALTER TABLE payments_new RENAME TO payments;

CREATE INDEX payments_taxpayer ON payments (taxpayer_id);
CREATE INDEX payments_received_by ON payments (commune_id, received_by, received_at);
CREATE INDEX payments_paid_on ON payments (commune_id, paid_on);
CREATE INDEX payments_tax_type ON payments (tax_type_id) WHERE tax_type_id IS NOT NULL;
CREATE UNIQUE INDEX payments_method_reference ON payments (commune_id, method, method_reference)
    WHERE method_reference IS NOT NULL;
CREATE UNIQUE INDEX payments_verification_code ON payments (verification_code)
    WHERE verification_code IS NOT NULL;

-- What a receipt says never changes; only its state moves on (and the columns later
-- migrations add for the cash-up and the bank).
CREATE TRIGGER payments_kept BEFORE UPDATE OF id, commune_id, taxpayer_id, receipt_number,
        receipt_year, receipt_seq, amount, method, method_reference, received_by, received_at,
        form_token, paid_on, channel, tax_type_id, payer, verification_code ON payments
BEGIN
    SELECT RAISE(ABORT, 'a recorded payment cannot change');
END;
CREATE TRIGGER payments_not_deleted BEFORE DELETE ON payments
BEGIN
    SELECT RAISE(ABORT, 'a recorded payment cannot change');
END;
-- A cancelled receipt stays cancelled.
CREATE TRIGGER payments_cancelled_kept BEFORE UPDATE OF status ON payments
    WHEN OLD.status = 'cancelled'
BEGIN
    SELECT RAISE(ABORT, 'a cancelled receipt stays cancelled');
END;

-- A receipt is never deleted: the treasurer asks to cancel it, with a reason, and a
-- second person approves (or refuses). The approval is the reversing entry: from then on
-- the payment counts for nothing on the taxpayer's balance, and the receipt reads
-- "cancelled".
CREATE TABLE payment_cancellations (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    payment_id BIGINT NOT NULL REFERENCES payments (id),
    reason TEXT NOT NULL,
    requested_by BIGINT NOT NULL REFERENCES users (id),
    requested_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by BIGINT REFERENCES users (id),
    decided_at TIMESTAMP,
    CHECK (decided_by IS NULL OR decided_by <> requested_by)
);
-- One cancellation open or approved per receipt; a refused one may be asked again.
CREATE UNIQUE INDEX payment_cancellations_open ON payment_cancellations (payment_id)
    WHERE status <> 'rejected';
CREATE INDEX payment_cancellations_commune ON payment_cancellations (commune_id, status);

COMMIT;
PRAGMA foreign_keys = ON;
