-- name: rollback_page_org_roles
-- description: One page, newest first (ids below :before), of the custom
--   roles of organizations created through :endpoint that are not deleted
--   yet, with their organization's WorkOS id ('' when the organization is
--   gone already, taking its roles with it).
SELECT r.id, r.entity, r.entity_id, r.workos_id, r.status,
       ro.slug || ' in ' || o.org_key AS label, ro.slug,
       coalesce(oi.workos_id, o.workos_org_id, '') AS org_workos_id, '' AS user_workos_id
FROM rollback_items r
JOIN roles ro ON ro.id = r.entity_id
JOIN organizations o ON o.id = ro.organization_id
LEFT JOIN import_items oi ON oi.entity = 'organization' AND oi.entity_id = o.id
WHERE r.entity = 'role' AND r.status <> 'deleted' AND r.endpoint = :endpoint AND r.id < :before
ORDER BY r.id DESC
LIMIT :limit;
