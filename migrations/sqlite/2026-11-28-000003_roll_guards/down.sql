DROP TRIGGER assessments_issued_immutable;
CREATE TRIGGER assessments_issued_immutable BEFORE UPDATE ON assessments
WHEN (SELECT status FROM rolls WHERE id = OLD.roll_id) = 'issued'
BEGIN
    SELECT RAISE(ABORT, 'an issued roll cannot change');
END;
DROP TRIGGER assessments_issued_closed;
DROP INDEX assessments_roll;
CREATE INDEX assessments_roll ON assessments (roll_id);
