-- name: organization_different
-- entity: organization
-- kind: different
-- description: An imported organization whose WorkOS name or external_id
--   differs from what mig sent when it created it (the name, or the
--   external id when no name was staged). For an organization mig adopted,
--   or was given by id, it sent neither: information only.
WITH pairs AS MATERIALIZED (
    SELECT io.staged_id, io.workos_id, io.name, io.external_id,
           w.name AS w_name, coalesce(w.external_id, '') AS w_external_id,
           CASE WHEN io.outcome = 'adopted' THEN 'info' ELSE 'error' END AS severity,
           CASE WHEN io.outcome = 'adopted' THEN ' (adopted: mig did not send it)' ELSE '' END AS note
    FROM reconcile_imported_organizations io
    JOIN reconcile_workos_organizations w ON w.id = io.workos_id
),
diffs (staged_id, workos_id, severity, note, field, staged_value, workos_value) AS (
    SELECT staged_id, workos_id, severity, note, 'name', name, w_name FROM pairs WHERE name <> w_name
    UNION ALL
    SELECT staged_id, workos_id, severity, note, 'external_id', external_id, w_external_id
    FROM pairs WHERE external_id <> w_external_id
)
INSERT INTO reconcile_findings (run_id, rule, entity, staged_id, workos_id, kind, severity, field, staged_value, workos_value, message)
SELECT :run_id, :rule, 'organization', staged_id, workos_id, 'different', severity, field, staged_value, workos_value,
       'WorkOS organization ' || workos_id || ': ' || field || ' is ' || quote(workos_value) || ', staged ' || quote(staged_value) || note
FROM diffs;
