DROP TRIGGER payment_allocations_kept ON payment_allocations;
DROP TRIGGER payments_kept ON payments;
DROP FUNCTION payments_kept();
DROP TABLE payment_allocations;
DROP TABLE payments;
