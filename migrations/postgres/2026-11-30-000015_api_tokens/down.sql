DROP INDEX taxpayers_ref_upper;
DROP TABLE api_tokens;
