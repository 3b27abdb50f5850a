-- name: page_permission
-- description: One page of permissions to send, in item order.
SELECT i.id AS item_id, i.status, coalesce(i.workos_id, '') AS workos_id, i.attempts,
       p.slug, coalesce(p.name, p.slug) AS name, coalesce(p.description, '') AS description
FROM import_items i JOIN permissions p ON p.id = i.entity_id
WHERE i.entity = 'permission' AND i.status = :status AND i.id > :after
ORDER BY i.id LIMIT :limit;
