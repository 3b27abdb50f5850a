-- name: report_reconcile_summary
-- description: What the reconciliation found, per entity and kind (missing
--   in WorkOS, different, duplicated, not staged, ...), most frequent
--   first. Run only when reconcile_findings has the columns entity and kind.
SELECT coalesce(entity, '') AS entity, coalesce(kind, '') AS kind, count(*) AS n
FROM reconcile_findings
GROUP BY 1, 2
ORDER BY n DESC, 1, 2;
