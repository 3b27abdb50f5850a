-- name: rollback_page_organizations
-- description: One page, newest first (ids below :before), of the
--   organizations created through :endpoint that are not deleted yet.
SELECT r.id, r.entity, r.entity_id, r.workos_id, r.status,
       o.org_key AS label, '' AS slug, r.workos_id AS org_workos_id, '' AS user_workos_id
FROM rollback_items r
JOIN organizations o ON o.id = r.entity_id
WHERE r.entity = 'organization' AND r.status <> 'deleted' AND r.endpoint = :endpoint AND r.id < :before
ORDER BY r.id DESC
LIMIT :limit;
