-- name: userRoleAssignments
-- file: user_role_assignments.csv
-- description: One row per staged role assignment, by user; a user's roles
--   without an organization first. Empty organization columns mean the role
--   is given in every organization the user belongs to.
SELECT
    coalesce(u.email, '')        AS email,
    coalesce(iu.workos_id, '')   AS user_id,
    coalesce(u.external_id, '')  AS external_id,
    ra.role_slug                 AS role_slug,
    coalesce(o.workos_org_id, '') AS org_id,
    coalesce(o.external_id, '')   AS org_external_id
FROM role_assignments ra
JOIN users u INDEXED BY users_emit ON u.id = ra.user_id
LEFT JOIN organizations o ON o.id = ra.organization_id
LEFT JOIN import_items iu ON iu.entity = 'user' AND iu.entity_id = ra.user_id
WHERE u.change <> 'missing'
ORDER BY ra.user_id, coalesce(ra.organization_id, 0), ra.role_slug;
