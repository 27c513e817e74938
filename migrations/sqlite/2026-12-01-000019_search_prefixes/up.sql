-- The register's search index keeps the 3- and 4-letter prefixes of its words, so that
-- a name search asks for `"mous"*` and streams it through the index instead of reading
-- every word that starts with `moussa` (src/revenue/taxpayers/search.rs, `fts_words`).
-- The triggers of 000013 name the table and keep working once it is made again.
DROP TABLE taxpayer_search;

CREATE VIRTUAL TABLE taxpayer_search USING fts5(
    doc,
    content = '',
    tokenize = "ascii tokenchars '_'",
    detail = 'none',
    columnsize = 0,
    prefix = '3 4'
);

INSERT INTO taxpayer_search (rowid, doc) SELECT id, doc FROM taxpayer_search_docs;
