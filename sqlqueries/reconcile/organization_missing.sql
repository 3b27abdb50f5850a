-- name: organization_missing
-- entity: organization
-- kind: missing
-- description: An imported organization (created, or found and adopted)
--   that WorkOS no longer has.
INSERT INTO reconcile_findings (run_id, rule, entity, staged_id, workos_id, kind, severity, field, staged_value, workos_value, message)
SELECT :run_id, :rule, 'organization', io.staged_id, io.workos_id, 'missing', 'error', NULL, io.org_key, NULL,
       'WorkOS has no organization ' || io.workos_id || ', which mig import recorded (' || io.outcome
       || ') for staged organization ' || io.org_key
FROM reconcile_imported_organizations io
WHERE NOT EXISTS (SELECT 1 FROM reconcile_workos_organizations w WHERE w.id = io.workos_id);
