DROP INDEX taxpayers_id_number;
DROP INDEX taxpayers_phone_reversed;
DROP INDEX taxpayers_ref_suffix;
DROP INDEX taxpayers_search_words;
DROP FUNCTION taxpayer_search_words(TEXT);
DROP EXTENSION IF EXISTS pg_trgm;
