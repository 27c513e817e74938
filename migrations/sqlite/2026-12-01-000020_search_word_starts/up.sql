-- PostgreSQL's name search reads an index of the starts of words from here on; SQLite's
-- FTS5 index (000013, 000019) needs nothing.
SELECT 1;
