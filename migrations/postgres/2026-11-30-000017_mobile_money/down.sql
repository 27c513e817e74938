DROP INDEX taxpayers_email;
DROP TABLE mobile_money_events;
DROP TRIGGER payment_intents_succeeded_kept ON payment_intents;
DROP FUNCTION payment_intents_succeeded_kept();
DROP TABLE payment_intents;
