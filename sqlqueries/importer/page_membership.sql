-- name: page_membership
-- description: One page of memberships to create or update, in item order,
--   with the WorkOS ids and import state of the user and organization they
--   need. With :ready_only = 1 (a --limit sample) only memberships whose
--   user is done are read.
SELECT i.id AS item_id, i.status, coalesce(i.workos_id, '') AS workos_id, i.attempts,
       sm.user_source_id, coalesce(sm.email, '') AS email, sm.org_key, sm.role_slugs,
       coalesce(ui.status, '') AS user_status, coalesce(ui.workos_id, '') AS user_workos_id,
       coalesce(ui.retryable, 0) AS user_retryable, coalesce(ui.error_code, '') AS user_error,
       coalesce(oi.status, '') AS org_status, coalesce(oi.workos_id, sm.workos_org_id, '') AS org_workos_id,
       coalesce(oi.retryable, 0) AS org_retryable
FROM import_items i
JOIN staged_memberships sm ON sm.id = i.entity_id
LEFT JOIN import_items ui ON ui.entity = 'user' AND ui.entity_id = sm.user_id
LEFT JOIN import_items oi ON oi.entity = 'organization' AND oi.entity_id = sm.organization_id
WHERE i.entity = 'membership' AND i.status = :status AND i.id > :after
  AND (:ready_only = 0 OR ui.status = 'done')
ORDER BY i.id LIMIT :limit;
