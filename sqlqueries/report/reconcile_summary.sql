-- name: report_reconcile_summary
-- description: What the last finished reconciliation found, per entity and
--   kind (missing in WorkOS, different, duplicate, not staged), most
--   frequent first.
SELECT entity, kind, count(*) AS n
FROM reconcile_findings
WHERE run_id = (SELECT max(id) FROM reconcile_runs WHERE finished_at IS NOT NULL)
GROUP BY 1, 2
ORDER BY n DESC, 1, 2;
