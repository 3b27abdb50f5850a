-- name: page_role
-- description: One page of roles to send, in item order: environment roles
--   (:scope = 'environment') before organizations exist, organization roles
--   (:scope = 'organization') after, with their organization's WorkOS id.
SELECT i.id AS item_id, i.status, coalesce(i.workos_id, '') AS workos_id, i.attempts,
       r.slug, coalesce(r.name, r.slug) AS name, coalesce(r.description, '') AS description,
       r.type, r.permissions,
       coalesce(r.organization_id, 0) AS organization_id,
       coalesce(oi.status, '') AS org_status,
       coalesce(oi.workos_id, o.workos_org_id, '') AS org_workos_id,
       coalesce(o.org_key, '') AS org_key,
       coalesce(oi.retryable, 0) AS org_retryable
FROM import_items i
JOIN roles r ON r.id = i.entity_id
LEFT JOIN organizations o ON o.id = r.organization_id
LEFT JOIN import_items oi ON oi.entity = 'organization' AND oi.entity_id = r.organization_id
WHERE i.entity = 'role' AND i.status = :status AND i.id > :after
  AND ((:scope = 'environment' AND r.organization_id IS NULL) OR (:scope = 'organization' AND r.organization_id IS NOT NULL))
ORDER BY i.id LIMIT :limit;
