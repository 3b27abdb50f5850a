-- name: page_organization
-- description: One page of organizations to resolve or create, in item order.
SELECT i.id AS item_id, i.status, coalesce(i.workos_id, '') AS workos_id, i.attempts,
       o.org_key, o.resolution, coalesce(o.workos_org_id, '') AS given_id,
       coalesce(o.external_id, '') AS external_id, coalesce(o.name, '') AS name,
       o.domains, o.metadata
FROM import_items i JOIN organizations o ON o.id = i.entity_id
WHERE i.entity = 'organization' AND i.status = :status AND i.id > :after
ORDER BY i.id LIMIT :limit;
