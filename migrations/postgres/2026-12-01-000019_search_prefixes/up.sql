-- SQLite's search index keeps word prefixes from here on; PostgreSQL's trigram index
-- (000013) needs nothing.
SELECT 1;
