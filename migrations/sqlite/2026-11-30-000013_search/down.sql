DROP TRIGGER taxpayer_search_delete;
DROP TRIGGER taxpayer_search_update;
DROP TRIGGER taxpayer_search_forget;
DROP TRIGGER taxpayer_search_insert;
DROP VIEW taxpayer_search_docs;
DROP TABLE taxpayer_search;
