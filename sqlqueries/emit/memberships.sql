-- name: memberships
-- file: organization_memberships.csv
-- description: Every membership of every user in the package, by user then
--   by organization (the first of a user's rows is the one users.csv carries).
--   role_slugs are those staged_memberships computes: the roles given in the
--   organization plus those given to the user without one. user_id is the
--   WorkOS user id once the user is imported, empty before.
-- params: :roles
SELECT
    coalesce(u.email, '')        AS email,
    coalesce(u.external_id, '')  AS external_id,
    coalesce(iu.workos_id, '')   AS user_id,
    coalesce(sm.workos_org_id, '')   AS org_id,
    coalesce(sm.org_external_id, '') AS org_external_id,
    coalesce(sm.org_name, '')        AS org_name,
    CASE WHEN :roles THEN coalesce((SELECT group_concat(r.value, ',') FROM json_each(sm.role_slugs) r), '') ELSE '' END AS role_slugs,
    CASE WHEN sm.metadata IN ('', '{}') THEN '' ELSE sm.metadata END AS metadata
FROM staged_memberships sm
JOIN users u ON u.id = sm.user_id
LEFT JOIN import_items iu ON iu.entity = 'user' AND iu.entity_id = u.id
WHERE u.change <> 'missing'
ORDER BY sm.user_id, sm.organization_id;
