-- name: organization_not_staged
-- entity: organization
-- kind: not_staged
-- description: A WorkOS organization that no staged organization was
--   imported as: information only.
INSERT INTO reconcile_findings (run_id, rule, entity, staged_id, workos_id, kind, severity, field, staged_value, workos_value, message)
SELECT :run_id, :rule, 'organization', NULL, w.id, 'not_staged', 'info', NULL, NULL, w.name,
       'WorkOS organization ' || w.id || ' (' || w.name || ') is not an organization this staging database imported'
FROM reconcile_workos_organizations w
WHERE NOT EXISTS (SELECT 1 FROM import_items i WHERE i.entity = 'organization' AND i.workos_id = w.id);
