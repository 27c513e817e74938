-- The treasurer resolves a disputed mobile-money payment (src/revenue/mobile/resolve.rs):
-- they credit it (the intent succeeds, with the receipt it became) or mark it refunded
-- (a new final status: nothing is credited, a note says why). Either way the intent
-- keeps who resolved it, when, and their note.
--
-- A dispute now keeps what the provider reported paid (amount and currency, as
-- written by the provider), which is what a credit records. A dispute from before this
-- migration whose payment was refused by the account (`mobile.problem.not_credited`)
-- was reported paid as asked; the others' reported amounts stay in the audit log only.
--
-- The status CHECK changes, which SQLite allows only by rebuilding the table.
PRAGMA foreign_keys = OFF;
BEGIN;

DROP TRIGGER payment_intents_succeeded_kept;
DROP INDEX payment_intents_open;
DROP INDEX payment_intents_taxpayer;

CREATE TABLE payment_intents_new (
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
        CHECK (status IN ('pending', 'succeeded', 'failed', 'expired', 'disputed', 'refunded')),
    problem TEXT,
    payment_id BIGINT UNIQUE REFERENCES payments (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    last_polled_at TIMESTAMP,
    polls BIGINT NOT NULL DEFAULT 0,
    -- What the provider reported paid, for a disputed intent, as the provider wrote it.
    reported_amount TEXT,
    reported_currency TEXT,
    -- The treasurer who resolved a dispute, when, and their note (required for a refund).
    resolved_by BIGINT REFERENCES users (id),
    resolved_at TIMESTAMP,
    resolution_note TEXT,
    UNIQUE (provider, provider_ref),
    UNIQUE (provider, transaction_id),
    CHECK ((status = 'succeeded') = (payment_id IS NOT NULL)),
    CHECK (status <> 'refunded' OR (resolved_by IS NOT NULL AND resolution_note <> '')),
    CHECK ((resolved_by IS NULL) = (resolved_at IS NULL))
);

INSERT INTO payment_intents_new (id, commune_id, provider, taxpayer_id, amount, currency,
        reference, provider_ref, transaction_id, payer_phone, status, problem, payment_id,
        created_at, updated_at, last_polled_at, polls, reported_amount, reported_currency)
    SELECT id, commune_id, provider, taxpayer_id, amount, currency, reference, provider_ref,
        transaction_id, payer_phone, status, problem, payment_id, created_at, updated_at,
        last_polled_at, polls,
        CASE WHEN status = 'disputed' AND problem = 'mobile.problem.not_credited'
            THEN CAST(amount AS TEXT) END,
        CASE WHEN status = 'disputed' AND problem = 'mobile.problem.not_credited'
            THEN currency END
    FROM payment_intents;

DROP TABLE payment_intents;
ALTER TABLE payment_intents_new RENAME TO payment_intents;

CREATE INDEX payment_intents_open ON payment_intents (status, last_polled_at);
CREATE INDEX payment_intents_taxpayer ON payment_intents (taxpayer_id, created_at);

-- A succeeded or refunded intent never changes again, nor does its resolution.
CREATE TRIGGER payment_intents_final_kept BEFORE UPDATE ON payment_intents
    WHEN OLD.status IN ('succeeded', 'refunded')
        AND (NEW.status <> OLD.status OR NEW.payment_id IS NOT OLD.payment_id
            OR NEW.amount <> OLD.amount OR NEW.transaction_id IS NOT OLD.transaction_id
            OR NEW.resolved_by IS NOT OLD.resolved_by OR NEW.resolved_at IS NOT OLD.resolved_at
            OR NEW.resolution_note IS NOT OLD.resolution_note)
BEGIN
    SELECT RAISE(ABORT, 'a settled payment intent cannot change');
END;

COMMIT;
PRAGMA foreign_keys = ON;
