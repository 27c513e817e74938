CREATE INDEX taxpayers_search_words ON taxpayers
    USING gin (taxpayer_search_words(search_name) gin_trgm_ops);

DROP INDEX taxpayers_search_prefixes;
DROP FUNCTION taxpayer_search_prefixes(TEXT);
