-- The treasurer resolves a disputed mobile-money payment: credited (the intent succeeds)
-- or refunded (a new final status). See the SQLite migration of the same name.
ALTER TABLE payment_intents
    ADD COLUMN reported_amount TEXT,
    ADD COLUMN reported_currency TEXT,
    ADD COLUMN resolved_by BIGINT REFERENCES users (id),
    ADD COLUMN resolved_at TIMESTAMP,
    ADD COLUMN resolution_note TEXT,
    DROP CONSTRAINT payment_intents_status_check,
    ADD CONSTRAINT payment_intents_status_check
        CHECK (status IN ('pending', 'succeeded', 'failed', 'expired', 'disputed', 'refunded')),
    ADD CONSTRAINT payment_intents_refund_noted
        CHECK (status <> 'refunded' OR (resolved_by IS NOT NULL AND resolution_note <> '')),
    ADD CONSTRAINT payment_intents_resolved_when
        CHECK ((resolved_by IS NULL) = (resolved_at IS NULL));

UPDATE payment_intents
    SET reported_amount = amount::text, reported_currency = currency
    WHERE status = 'disputed' AND problem = 'mobile.problem.not_credited';

DROP TRIGGER payment_intents_succeeded_kept ON payment_intents;
DROP FUNCTION payment_intents_succeeded_kept();

-- A succeeded or refunded intent never changes again, nor does its resolution.
CREATE FUNCTION payment_intents_final_kept() RETURNS trigger AS $$
BEGIN
    IF OLD.status IN ('succeeded', 'refunded') AND
            (NEW.status, NEW.payment_id, NEW.amount, NEW.transaction_id,
             NEW.resolved_by, NEW.resolved_at, NEW.resolution_note)
            IS DISTINCT FROM
            (OLD.status, OLD.payment_id, OLD.amount, OLD.transaction_id,
             OLD.resolved_by, OLD.resolved_at, OLD.resolution_note) THEN
        RAISE EXCEPTION 'a settled payment intent cannot change';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER payment_intents_final_kept BEFORE UPDATE ON payment_intents
    FOR EACH ROW EXECUTE FUNCTION payment_intents_final_kept();
