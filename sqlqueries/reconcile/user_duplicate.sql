-- name: user_duplicate
-- entity: user
-- kind: duplicate
-- description: Two WorkOS users for one staged user: besides the WorkOS
--   user mig recorded for an imported user, another one has its external_id
--   or its email (compared without case), and no other staged user was
--   given that one. One finding per pair; workos_id is the other user.
WITH others AS (
    SELECT iu.staged_id, iu.workos_id, iu.source_id, 'external_id' AS field, iu.external_id AS staged_value,
           w.id AS other_id, w.external_id AS workos_value
    FROM reconcile_imported_users iu
    JOIN reconcile_workos_users w ON w.external_id = iu.external_id
    WHERE iu.external_id <> '' AND w.id <> iu.workos_id
    UNION ALL
    SELECT iu.staged_id, iu.workos_id, iu.source_id, 'email', iu.email, w.id, w.email
    FROM reconcile_imported_users iu
    JOIN reconcile_workos_users w ON lower(w.email) = lower(iu.email)
    WHERE w.id <> iu.workos_id
)
INSERT INTO reconcile_findings (run_id, rule, entity, staged_id, workos_id, kind, severity, field, staged_value, workos_value, message)
SELECT :run_id, :rule, 'user', staged_id, other_id, 'duplicate', 'error', min(field), staged_value, workos_value,
       'WorkOS user ' || other_id || ' has the ' || field || ' ' || quote(staged_value) || ' of staged user ' || source_id
       || ', whose WorkOS user is ' || workos_id || ': two WorkOS users for one staged user'
FROM others o
WHERE NOT EXISTS (SELECT 1 FROM import_items i WHERE i.entity = 'user' AND i.workos_id = o.other_id)
GROUP BY staged_id, other_id;
