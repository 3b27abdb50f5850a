-- name: user_missing
-- entity: user
-- kind: missing
-- description: An imported user (done in import_items, with the WorkOS id
--   mig recorded) that WorkOS no longer has: deleted since, or never made.
INSERT INTO reconcile_findings (run_id, rule, entity, staged_id, workos_id, kind, severity, field, staged_value, workos_value, message)
SELECT :run_id, :rule, 'user', iu.staged_id, iu.workos_id, 'missing', 'error', NULL, iu.email, NULL,
       'WorkOS has no user ' || iu.workos_id || ', which mig import recorded (' || iu.outcome || ') for staged user '
       || iu.source_id || ' (' || iu.email || ')'
FROM reconcile_imported_users iu
WHERE NOT EXISTS (SELECT 1 FROM reconcile_workos_users w WHERE w.id = iu.workos_id);
