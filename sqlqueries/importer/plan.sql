-- name: import_plan
-- description: The work a run would do, per entity and kind: rows to create,
--   to update, to reconcile after a crash, and organizations by resolution.
SELECT i.entity,
       CASE
           WHEN i.entity = 'organization' THEN o.resolution
           WHEN i.status = 'in_flight' THEN 'reconcile'
           WHEN i.workos_id IS NOT NULL THEN 'update'
           ELSE 'create'
       END AS kind,
       count(*) AS n
FROM import_items i
LEFT JOIN organizations o ON i.entity = 'organization' AND o.id = i.entity_id
WHERE i.status IN ('pending', 'in_flight')
GROUP BY 1, 2
ORDER BY 1, 2;
