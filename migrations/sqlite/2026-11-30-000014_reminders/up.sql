-- Reminders of overdue balances, and the commune's mobile-money channels that notices
-- and reminders name.

-- One reminder per taxpayer and day. A row is written (claimed) before the message is
-- sent, with `sent_at` empty, and `sent_at` is set once the mail server or the SMS
-- gateway took it: a second run, or a run after a crash, finds the row and sends
-- nothing again. A send that failed removes its row, so that a later run tries again.
CREATE TABLE reminders (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    taxpayer_id BIGINT NOT NULL REFERENCES taxpayers (id),
    -- The commune's day of the run.
    day DATE NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    -- The overdue amount the reminder states.
    amount BIGINT NOT NULL CHECK (amount > 0),
    sent_at TIMESTAMP,
    UNIQUE (commune_id, taxpayer_id, day)
);

-- How a commune takes mobile money: each channel a provider, the commune's merchant
-- number with it, and the name payers see.
CREATE TABLE payment_channels (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    commune_id BIGINT NOT NULL REFERENCES communes (id),
    provider TEXT NOT NULL CHECK (provider IN ('wave', 'mtn_momo', 'orange_money')),
    merchant_number TEXT NOT NULL,
    display_name TEXT NOT NULL,
    UNIQUE (commune_id, provider, merchant_number)
);
