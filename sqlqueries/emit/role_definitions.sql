-- name: roleDefinitions
-- file: role_definitions.csv
-- description: Every staged role, environment roles first, then by slug and
--   organization. An organization role names its organization by WorkOS id
--   when known, else by external id.
SELECT
    r.slug                              AS role_slug,
    coalesce(r.name, '')                AS role_name,
    r.type                              AS role_type,
    coalesce((SELECT group_concat(p.value, ',') FROM json_each(r.permissions) p), '') AS permissions,
    coalesce(o.workos_org_id, '')       AS org_id,
    coalesce(o.external_id, '')         AS org_external_id
FROM roles r
LEFT JOIN organizations o ON o.id = r.organization_id
ORDER BY r.type = 'organization', r.slug, r.scope_key, r.id;
