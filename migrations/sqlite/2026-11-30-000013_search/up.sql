-- The register's search index (src/revenue/taxpayers/search.rs): an FTS5 table that
-- keeps no text of its own, only which taxpayers hold each word. A taxpayer's document
-- is their name's search key (its words, found by prefix in any order), then keys that
-- a query cannot type, since a typed word never holds `_`: `_c` and the commune's id,
-- `_p` and the phone's last three digits, `_i` and the identifier's last three
-- characters. A phone or identifier search reads the few taxpayers of its key and
-- compares the whole value. References are found through their unique index.
CREATE VIRTUAL TABLE taxpayer_search USING fts5(
    doc,
    content = '',
    tokenize = "ascii tokenchars '_'",
    detail = 'none',
    columnsize = 0
);

-- Each taxpayer's document, written once here for the triggers and for an import.
CREATE VIEW taxpayer_search_docs AS
SELECT id, import_batch,
    search_name
    || ' _c' || commune_id
    || coalesce(' _p' || substr(phone, -3), '')
    || coalesce(' _i' || lower(substr(id_number, -3)), '') AS doc
FROM taxpayers;

INSERT INTO taxpayer_search (rowid, doc) SELECT id, doc FROM taxpayer_search_docs;

-- A row written by an import is indexed by the import itself, at its end and in its
-- transaction, in one statement (search::index_import): a million rows go in far
-- faster than through a trigger each.
CREATE TRIGGER taxpayer_search_insert AFTER INSERT ON taxpayers
WHEN new.import_batch IS NULL
BEGIN
    INSERT INTO taxpayer_search (rowid, doc)
    SELECT id, doc FROM taxpayer_search_docs WHERE id = new.id;
END;

-- A contentless index forgets a row by being told its words: before the change, while
-- the row still holds them.
CREATE TRIGGER taxpayer_search_forget BEFORE UPDATE OF commune_id, search_name, phone, id_number ON taxpayers
BEGIN
    INSERT INTO taxpayer_search (taxpayer_search, rowid, doc)
    SELECT 'delete', id, doc FROM taxpayer_search_docs WHERE id = old.id;
END;

CREATE TRIGGER taxpayer_search_update AFTER UPDATE OF commune_id, search_name, phone, id_number ON taxpayers
BEGIN
    INSERT INTO taxpayer_search (rowid, doc)
    SELECT id, doc FROM taxpayer_search_docs WHERE id = new.id;
END;

CREATE TRIGGER taxpayer_search_delete BEFORE DELETE ON taxpayers
BEGIN
    INSERT INTO taxpayer_search (taxpayer_search, rowid, doc)
    SELECT 'delete', id, doc FROM taxpayer_search_docs WHERE id = old.id;
END;
