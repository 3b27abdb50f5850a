-- name: readback_summary
-- description: The findings of one mig reconcile run (:run_id), counted by
--   entity, kind and severity: what it prints and reports.
SELECT entity, kind, severity, count(*) AS n
FROM reconcile_findings
WHERE run_id = :run_id
GROUP BY entity, kind, severity
ORDER BY entity, kind, severity;
