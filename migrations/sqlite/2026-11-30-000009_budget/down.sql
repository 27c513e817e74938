DROP TABLE budget_lines;
DROP TABLE budget_documents;
