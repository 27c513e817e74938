-- The register's search indexes (src/revenue/taxpayers/search.rs).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- A name's words as the search reads them: its search key between spaces, ASCII
-- punctuation made a space (as SQLite's FTS5 `ascii` tokenizer splits words). A word
-- typed is found through the trigrams inside it (`LIKE '%diallo%'`), then checked at a
-- word's start (` diallo`).
CREATE FUNCTION taxpayer_search_words(search_name TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT ' ' || regexp_replace($1, '[!-/:-@[-`{-~]+', ' ', 'g') || ' ' $$;

CREATE INDEX taxpayers_search_words ON taxpayers
    USING gin (taxpayer_search_words(search_name) gin_trgm_ops);

-- A reference typed without the commune's prefix: what follows the first `-`, in capitals.
CREATE INDEX taxpayers_ref_suffix ON taxpayers (commune_id, upper(substr(ref, strpos(ref, '-') + 1)));

-- A phone found by its last digits: the number written backwards, read by prefix.
CREATE INDEX taxpayers_phone_reversed ON taxpayers (commune_id, reverse(phone) text_pattern_ops)
    WHERE phone IS NOT NULL;

CREATE INDEX taxpayers_id_number ON taxpayers (commune_id, id_number)
    WHERE id_number IS NOT NULL;
