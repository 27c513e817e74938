-- A roll's lines are read in reference order (pages, exports, the digest, keyset paging).
DROP INDEX assessments_roll;
CREATE INDEX assessments_roll ON assessments (roll_id, reference);

-- Nothing but a penalty joins an issued roll, and no line moves into one.
CREATE TRIGGER assessments_issued_closed BEFORE INSERT ON assessments
WHEN NEW.kind <> 'penalty' AND (SELECT status FROM rolls WHERE id = NEW.roll_id) = 'issued'
BEGIN
    SELECT RAISE(ABORT, 'an issued roll cannot change');
END;
DROP TRIGGER assessments_issued_immutable;
CREATE TRIGGER assessments_issued_immutable BEFORE UPDATE ON assessments
WHEN (SELECT status FROM rolls WHERE id = OLD.roll_id) = 'issued'
  OR (SELECT status FROM rolls WHERE id = NEW.roll_id) = 'issued'
BEGIN
    SELECT RAISE(ABORT, 'an issued roll cannot change');
END;
