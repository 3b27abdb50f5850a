-- name: memberships
-- file: organization_memberships.csv
-- description: Every membership of every user in the package, by user then
--   by organization (the first of a user's rows is the one users.csv carries).
--   role_slugs are those staged_memberships computes: the roles given in the
--   organization plus those given to the user without one. user_id is the
--   WorkOS user id once the user is imported, empty before. Users are read
--   through the users_emit index, which holds the columns needed here.
-- params: :roles
SELECT
    coalesce(u.email, '')        AS email,
    coalesce(u.external_id, '')  AS external_id,
    coalesce(iu.workos_id, '')   AS user_id,
    coalesce(o.workos_org_id, '') AS org_id,
    coalesce(o.external_id, '')   AS org_external_id,
    coalesce(o.name, '')          AS org_name,
    CASE WHEN :roles THEN coalesce((
        SELECT group_concat(DISTINCT ra.role_slug ORDER BY ra.role_slug) FROM role_assignments ra
        WHERE ra.user_id = m.user_id AND (ra.organization_id IS NULL OR ra.organization_id = m.organization_id)), '')
    ELSE '' END AS role_slugs,
    CASE WHEN m.metadata IN ('', '{}') THEN '' ELSE m.metadata END AS metadata
FROM memberships m
JOIN users u INDEXED BY users_emit ON u.id = m.user_id
JOIN organizations o ON o.id = m.organization_id
LEFT JOIN import_items iu ON iu.entity = 'user' AND iu.entity_id = m.user_id
WHERE u.change <> 'missing'
ORDER BY m.user_id, m.organization_id;
