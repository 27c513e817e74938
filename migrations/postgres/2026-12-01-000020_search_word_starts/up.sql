-- The name search on PostgreSQL reads a full-text (GIN) index of the starts of each
-- name's words instead of the trigram index of 000013 (src/revenue/taxpayers/search.rs,
-- `pg_name_hits`). A word typed is one entry of it, where it was several trigrams, each
-- common: the index intersects the entries of words common alone but never together
-- ("Moussa Houessou") in a millisecond or two, where the trigrams took tens.
--
-- The entries of a name: each of its words of two letters, and the starts of the longer
-- ones from three letters to eight (`diallo`: dia, dial, diall, diallo). Words are cut
-- as `taxpayer_search_words` (000013) cuts them, and taken as they are (no parser, no
-- stemming): what is typed finds them by the same rule.
CREATE FUNCTION taxpayer_search_prefixes(search_name TEXT) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT array_to_tsvector(array_agg(left(word, n)))
    FROM regexp_split_to_table($1, '[ !-/:-@[-`{-~]+') AS word,
        generate_series(least(length(word), 3), least(length(word), 8)) AS n
    WHERE length(word) >= 2
$$;

CREATE INDEX taxpayers_search_prefixes ON taxpayers
    USING gin (taxpayer_search_prefixes(search_name));

DROP INDEX taxpayers_search_words;
