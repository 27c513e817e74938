DROP TABLE bank_lines;
DROP FUNCTION bank_lines_kept();
DROP TRIGGER payments_cashup_kept ON payments;
DROP FUNCTION payments_cashup_kept();
DROP INDEX payments_not_deposited;
DROP INDEX payments_cashup;
ALTER TABLE payments DROP COLUMN cashup_id;
DROP TABLE cashups;
DROP FUNCTION cashups_kept();
DELETE FROM imports WHERE kind = 'bank';
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check
    CHECK (kind IN ('taxpayers', 'items', 'roll', 'voters', 'spending'));
