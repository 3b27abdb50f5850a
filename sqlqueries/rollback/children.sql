-- name: rollback_children
-- description: What the rows of a batch (:ids, a JSON array of
--   rollback_items ids) decided for their children (rollback_children):
--   deleted with a deleted user or organization, which WorkOS deletes with
--   it; kept with a user kept because it signed in since. Children deleted
--   already are left as they are.
SELECT ch.id, ch.entity, ch.entity_id, ch.workos_id, p.status,
       CASE p.status
           WHEN 'deleted' THEN 'deleted with its ' || p.entity || ' ' || p.workos_id
           ELSE 'kept with its ' || p.entity || ' ' || p.workos_id || ': ' || coalesce(p.reason, '')
       END AS reason
FROM rollback_children c
JOIN rollback_items p ON p.id = c.parent_id
JOIN rollback_items ch ON ch.id = c.child_id
WHERE c.parent_id IN (SELECT value FROM json_each(:ids))
  AND (p.status = 'deleted' OR (p.status = 'kept' AND p.entity = 'user'))
  AND ch.status <> 'deleted';
