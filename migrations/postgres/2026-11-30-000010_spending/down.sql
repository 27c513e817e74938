DELETE FROM imports WHERE kind = 'spending';
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check CHECK (kind IN ('taxpayers', 'items', 'roll', 'voters'));
DROP TABLE budget_titles;
DROP TABLE budget_orders;
DROP TABLE budget_commitments;
