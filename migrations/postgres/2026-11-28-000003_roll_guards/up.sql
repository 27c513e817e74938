-- A roll's lines are read in reference order (pages, exports, the digest, keyset paging).
DROP INDEX assessments_roll;
CREATE INDEX assessments_roll ON assessments (roll_id, reference);

-- Nothing but a penalty joins an issued roll, and no line moves into one.
CREATE OR REPLACE FUNCTION assessments_issued_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND (SELECT status FROM rolls WHERE id = OLD.roll_id) = 'issued' THEN
        RAISE EXCEPTION 'an issued roll cannot change';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF (TG_OP = 'UPDATE' OR NEW.kind <> 'penalty')
        AND (SELECT status FROM rolls WHERE id = NEW.roll_id) = 'issued' THEN
        RAISE EXCEPTION 'an issued roll cannot change';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER assessments_issued_closed BEFORE INSERT ON assessments
    FOR EACH ROW EXECUTE FUNCTION assessments_issued_immutable();
