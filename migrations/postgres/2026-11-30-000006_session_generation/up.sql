-- Each session cookie carries the generation of its user's sessions at login; logging
-- out (or setting a new password) moves the generation on, which ends every copy of
-- every cookie issued before.
ALTER TABLE users ADD COLUMN session_generation BIGINT NOT NULL DEFAULT 0;
