-- name: user_not_staged
-- entity: user
-- kind: not_staged
-- description: A WorkOS user that no staged user was imported as (signed up
--   in WorkOS, made by another tool, or left by an earlier import from
--   another database): information only. One already reported as a
--   duplicate of an imported user (user_duplicate, which runs first: rules
--   run in name order) is not repeated.
INSERT INTO reconcile_findings (run_id, rule, entity, staged_id, workos_id, kind, severity, field, staged_value, workos_value, message)
SELECT :run_id, :rule, 'user', NULL, w.id, 'not_staged', 'info', NULL, NULL, w.email,
       'WorkOS user ' || w.id || ' (' || w.email || ') is not a user this staging database imported'
FROM reconcile_workos_users w
WHERE NOT EXISTS (SELECT 1 FROM import_items i WHERE i.entity = 'user' AND i.workos_id = w.id)
  AND NOT EXISTS (SELECT 1 FROM reconcile_findings f
                  WHERE f.run_id = :run_id AND f.entity = 'user' AND f.workos_id = w.id AND f.kind = 'duplicate');
