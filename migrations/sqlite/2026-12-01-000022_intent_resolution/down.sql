PRAGMA foreign_keys = OFF;
BEGIN;

DROP TRIGGER payment_intents_final_kept;
DROP INDEX payment_intents_open;
DROP INDEX payment_intents_taxpayer;

CREATE TABLE payment_intents_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    provider TEXT NOT NULL CHECK (provider IN ('wave', 'mtn_momo')),
    taxpayer_id BIGINT NOT NULL REFERENCES taxpayers (id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    provider_ref TEXT,
    transaction_id TEXT,
    payer_phone TEXT,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'succeeded', 'failed', 'expired', 'disputed')),
    problem TEXT,
    payment_id BIGINT UNIQUE REFERENCES payments (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    last_polled_at TIMESTAMP,
    polls BIGINT NOT NULL DEFAULT 0,
    UNIQUE (provider, provider_ref),
    UNIQUE (provider, transaction_id),
    CHECK ((status = 'succeeded') = (payment_id IS NOT NULL))
);

-- A refunded intent goes back to disputed: the old table knows no other place for it.
INSERT INTO payment_intents_old (id, commune_id, provider, taxpayer_id, amount, currency,
        reference, provider_ref, transaction_id, payer_phone, status, problem, payment_id,
        created_at, updated_at, last_polled_at, polls)
    SELECT id, commune_id, provider, taxpayer_id, amount, currency, reference, provider_ref,
        transaction_id, payer_phone,
        CASE WHEN status = 'refunded' THEN 'disputed' ELSE status END,
        problem, payment_id, created_at, updated_at, last_polled_at, polls
    FROM payment_intents;

DROP TABLE payment_intents;
ALTER TABLE payment_intents_old RENAME TO payment_intents;

CREATE INDEX payment_intents_open ON payment_intents (status, last_polled_at);
CREATE INDEX payment_intents_taxpayer ON payment_intents (taxpayer_id, created_at);

CREATE TRIGGER payment_intents_succeeded_kept BEFORE UPDATE ON payment_intents
    WHEN OLD.status = 'succeeded'
        AND (NEW.status <> 'succeeded' OR NEW.payment_id IS NOT OLD.payment_id
            OR NEW.amount <> OLD.amount OR NEW.transaction_id IS NOT OLD.transaction_id)
BEGIN
    SELECT RAISE(ABORT, 'a succeeded payment intent cannot change');
END;

COMMIT;
PRAGMA foreign_keys = ON;
