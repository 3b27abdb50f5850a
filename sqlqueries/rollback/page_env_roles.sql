-- name: rollback_page_env_roles
-- description: One page, newest first (ids below :before), of the
--   environment roles created through :endpoint that are not deleted yet.
--   WorkOS has no call that deletes one: they are kept, with that reason.
SELECT r.id, r.entity, r.entity_id, r.workos_id, r.status,
       ro.slug AS label, ro.slug, '' AS org_workos_id, '' AS user_workos_id
FROM rollback_items r
JOIN roles ro ON ro.id = r.entity_id
WHERE r.entity = 'role' AND ro.organization_id IS NULL
  AND r.status <> 'deleted' AND r.endpoint = :endpoint AND r.id < :before
ORDER BY r.id DESC
LIMIT :limit;
