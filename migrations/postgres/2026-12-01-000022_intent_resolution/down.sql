DROP TRIGGER payment_intents_final_kept ON payment_intents;
DROP FUNCTION payment_intents_final_kept();

-- A refunded intent goes back to disputed: the old table knows no other place for it.
UPDATE payment_intents SET status = 'disputed' WHERE status = 'refunded';

ALTER TABLE payment_intents
    DROP CONSTRAINT payment_intents_resolved_when,
    DROP CONSTRAINT payment_intents_refund_noted,
    DROP CONSTRAINT payment_intents_status_check,
    ADD CONSTRAINT payment_intents_status_check
        CHECK (status IN ('pending', 'succeeded', 'failed', 'expired', 'disputed')),
    DROP COLUMN resolution_note,
    DROP COLUMN resolved_at,
    DROP COLUMN resolved_by,
    DROP COLUMN reported_currency,
    DROP COLUMN reported_amount;

CREATE FUNCTION payment_intents_succeeded_kept() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'succeeded' AND (NEW.status, NEW.payment_id, NEW.amount, NEW.transaction_id)
            IS DISTINCT FROM (OLD.status, OLD.payment_id, OLD.amount, OLD.transaction_id) THEN
        RAISE EXCEPTION 'a succeeded payment intent cannot change';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER payment_intents_succeeded_kept BEFORE UPDATE ON payment_intents
    FOR EACH ROW EXECUTE FUNCTION payment_intents_succeeded_kept();
