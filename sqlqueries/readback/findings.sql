-- name: readback_findings
-- description: Every finding of one mig reconcile run (:run_id), errors
--   first, for its report.
SELECT rule, entity, staged_id, workos_id, kind, severity, field, staged_value, workos_value, message
FROM reconcile_findings
WHERE run_id = :run_id
ORDER BY severity = 'info', entity, kind, id;
