-- name: report_reconcile_last_run
-- description: The last reconciliation that finished, the one the report
--   shows.
SELECT id, status, finished_at FROM reconcile_runs
WHERE finished_at IS NOT NULL
ORDER BY id DESC
LIMIT 1;
