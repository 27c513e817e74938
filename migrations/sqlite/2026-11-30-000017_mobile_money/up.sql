-- Mobile money (issue 11, item 5): one payment intent that knows nothing of the provider,
-- and the provider events already processed.
--
-- A payer asks to pay an amount of their balance through a provider (Wave, MTN MoMo):
-- an intent is written, pending, with the commune's reference that goes to the
-- provider. The provider's word comes back (a signed webhook, an unsigned callback
-- checked against the provider, or polling) and the intent moves on once:
-- pending → succeeded (the payment it became is recorded) | failed | expired, or
-- disputed when the provider reports a payment the intent cannot take (another amount
-- or currency, more than is owed): nothing is credited, the treasurer settles it by hand.
-- A failed or expired intent that the provider later reports paid still succeeds (the
-- payer's money has left their wallet); a succeeded intent never moves again.
CREATE TABLE payment_intents (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    provider TEXT NOT NULL CHECK (provider IN ('wave', 'mtn_momo')),
    taxpayer_id BIGINT NOT NULL REFERENCES taxpayers (id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    -- The commune's reference, sent to the provider (Wave's client_reference, MoMo's
    -- externalId); random, so that the public status page it names cannot be guessed.
    reference TEXT NOT NULL UNIQUE,
    -- The provider's own reference: Wave's checkout session, MoMo's X-Reference-Id.
    provider_ref TEXT,
    -- The provider's transaction, once paid: the payment's reference.
    transaction_id TEXT,
    payer_phone TEXT,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'succeeded', 'failed', 'expired', 'disputed')),
    -- Why it failed or is disputed: a message key.
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
CREATE INDEX payment_intents_open ON payment_intents (status, last_polled_at);
CREATE INDEX payment_intents_taxpayer ON payment_intents (taxpayer_id, created_at);

CREATE TRIGGER payment_intents_succeeded_kept BEFORE UPDATE ON payment_intents
    WHEN OLD.status = 'succeeded'
        AND (NEW.status <> 'succeeded' OR NEW.payment_id IS NOT OLD.payment_id
            OR NEW.amount <> OLD.amount OR NEW.transaction_id IS NOT OLD.transaction_id)
BEGIN
    SELECT RAISE(ABORT, 'a succeeded payment intent cannot change');
END;

-- Each provider event processed, by the provider's own id: an event sent again (the
-- provider retries, or someone replays a message) is recognised and does nothing.
CREATE TABLE mobile_money_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    intent_id BIGINT REFERENCES payment_intents (id),
    -- What it did: a step of the intent, or why it did nothing.
    outcome TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    UNIQUE (provider, event_id)
);

-- A citizen's space finds their own entries in the register by their account's e-mail.
CREATE INDEX taxpayers_email ON taxpayers (commune_id, lower(email));
