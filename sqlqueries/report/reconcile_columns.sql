-- name: report_reconcile_columns
-- description: The columns of reconcile_findings, which `mig reconcile`
--   writes; no row when the table does not exist (no reconcile has run, or
--   the database predates it).
SELECT name FROM pragma_table_info('reconcile_findings') ORDER BY cid;
