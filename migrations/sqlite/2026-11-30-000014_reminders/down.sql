DROP TABLE payment_channels;
DROP TABLE reminders;
