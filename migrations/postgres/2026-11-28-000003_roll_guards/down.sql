DROP TRIGGER assessments_issued_closed ON assessments;
CREATE OR REPLACE FUNCTION assessments_issued_immutable() RETURNS trigger AS $$
BEGIN
    IF (SELECT status FROM rolls WHERE id = OLD.roll_id) = 'issued' THEN
        RAISE EXCEPTION 'an issued roll cannot change';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP INDEX assessments_roll;
CREATE INDEX assessments_roll ON assessments (roll_id);
