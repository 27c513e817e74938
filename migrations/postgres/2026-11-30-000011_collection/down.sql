DROP TABLE payment_cancellations;

DROP TRIGGER payments_kept ON payments;
DROP FUNCTION payments_state_only();
-- Tickets have no place in the older table.
DELETE FROM payments WHERE taxpayer_id IS NULL;
CREATE TRIGGER payments_kept BEFORE UPDATE OR DELETE ON payments
    FOR EACH ROW EXECUTE FUNCTION payments_kept();

DROP INDEX payments_verification_code;
DROP INDEX payments_tax_type;
DROP INDEX payments_paid_on;
ALTER TABLE payments DROP CONSTRAINT payments_ticket_or_taxpayer;
ALTER TABLE payments DROP COLUMN status;
ALTER TABLE payments DROP COLUMN verification_code;
ALTER TABLE payments DROP COLUMN payer;
ALTER TABLE payments DROP COLUMN tax_type_id;
ALTER TABLE payments DROP COLUMN channel;
ALTER TABLE payments DROP COLUMN paid_on;
ALTER TABLE payments ALTER COLUMN taxpayer_id SET NOT NULL;

ALTER TABLE communes DROP COLUMN receipt_key;
