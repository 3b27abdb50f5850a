-- name: rollback_page_users
-- description: One page, newest first (ids below :before), of the users
--   created through :endpoint that are not deleted yet.
SELECT r.id, r.entity, r.entity_id, r.workos_id, r.status,
       coalesce(u.email_raw, u.email, '') AS label, '' AS slug, '' AS org_workos_id, r.workos_id AS user_workos_id
FROM rollback_items r
JOIN users u ON u.id = r.entity_id
WHERE r.entity = 'user' AND r.status <> 'deleted' AND r.endpoint = :endpoint AND r.id < :before
ORDER BY r.id DESC
LIMIT :limit;
