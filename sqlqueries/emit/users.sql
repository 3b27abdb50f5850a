-- name: users
-- file: users.csv
-- description: One row per staged user, in staging order. A user with
--   several memberships carries here the one in the organization staged
--   first (lowest organizations.id); organization_memberships.csv has them all.
--   role_slugs are those of that membership, computed as staged_memberships
--   does: roles given in the organization plus those given without one.
--   Users that their source's latest export no longer has (change = 'missing')
--   are left out; the manifest says how many.
-- params: :memberships, :roles (1 when those entities are requested)
SELECT
    coalesce(u.email, '')                 AS email,
    coalesce(u.password, '')              AS password,
    coalesce(u.password_hash, '')         AS password_hash,
    coalesce(u.password_hash_type, '')    AS password_hash_type,
    coalesce(u.first_name, '')            AS first_name,
    coalesce(u.last_name, '')             AS last_name,
    CASE u.email_verified WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE '' END AS email_verified,
    coalesce(u.external_id, '')           AS external_id,
    CASE WHEN u.metadata IN ('', '{}') THEN '' ELSE u.metadata END AS metadata,
    coalesce(o.workos_org_id, '')         AS org_id,
    coalesce(o.external_id, '')           AS org_external_id,
    coalesce(o.name, '')                  AS org_name,
    CASE WHEN o.id IS NULL OR NOT :roles THEN '' ELSE coalesce((
        SELECT group_concat(DISTINCT ra.role_slug ORDER BY ra.role_slug) FROM role_assignments ra
        WHERE ra.user_id = u.id AND (ra.organization_id IS NULL OR ra.organization_id = o.id)), '') END AS role_slugs
FROM users u
LEFT JOIN organizations o
       ON o.id = CASE WHEN :memberships THEN (SELECT min(m.organization_id) FROM memberships m WHERE m.user_id = u.id) END
WHERE u.change <> 'missing'
ORDER BY u.id;
