DROP TABLE taxpayer_search;

CREATE VIRTUAL TABLE taxpayer_search USING fts5(
    doc,
    content = '',
    tokenize = "ascii tokenchars '_'",
    detail = 'none',
    columnsize = 0
);

INSERT INTO taxpayer_search (rowid, doc) SELECT id, doc FROM taxpayer_search_docs;
