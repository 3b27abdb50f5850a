-- name: report_reconcile_total
-- description: How many rows reconcile_findings holds, for a table without
--   the entity and kind columns the summary groups by.
SELECT count(*) AS n FROM reconcile_findings;
