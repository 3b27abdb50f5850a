-- name: rollback_cascade
-- description: The rows of a batch (:ids) that were deleted took their
--   children with them in WorkOS (rollback_children: a user's memberships
--   and factors, an organization's memberships and custom roles); a user
--   kept, because it signed in since, keeps its memberships and factors.
--   Then every import row whose WorkOS object is gone goes back to pending
--   without its WorkOS id, so that a later mig import creates it again.
UPDATE rollback_items
SET status = p.status,
    reason = CASE p.status
                 WHEN 'deleted' THEN 'deleted with its ' || p.entity || ' ' || p.workos_id
                 ELSE 'kept with its ' || p.entity || ' ' || p.workos_id || ': ' || coalesce(p.reason, '')
             END,
    http_status = NULL, error_code = NULL, request_id = NULL,
    rollback_run_id = :run_id, updated_at = :now
FROM rollback_children c
JOIN rollback_items p ON p.id = c.parent_id
WHERE rollback_items.id = c.child_id
  AND c.parent_id IN (SELECT value FROM json_each(:ids))
  AND (p.status = 'deleted' OR (p.status = 'kept' AND p.entity = 'user'))
  AND rollback_items.status <> 'deleted';

UPDATE import_items
SET status = 'pending', outcome = NULL, workos_id = NULL, imported_hash = NULL, http_status = NULL,
    error_code = NULL, error_subcodes = NULL, request_id = NULL, retryable = NULL,
    message = 'rolled back by mig rollback (run ' || :run_id || '): WorkOS no longer has ' || d.workos_id,
    updated_at = :now
FROM (
    SELECT r.entity, r.entity_id, r.workos_id
    FROM rollback_items r
    WHERE r.status = 'deleted'
      AND (r.id IN (SELECT value FROM json_each(:ids))
           OR r.id IN (SELECT child_id FROM rollback_children WHERE parent_id IN (SELECT value FROM json_each(:ids))))
) d
WHERE import_items.entity = d.entity AND import_items.entity_id = d.entity_id AND import_items.workos_id = d.workos_id;
