-- name: role_undefined
-- severity: warning
-- description: A role is assigned to users but no role definition is staged
--   for it (neither an environment role nor a role of that organization). It
--   must already exist in WorkOS, or every assignment of it fails. Reported
--   once per role and scope.
/* A role given in an organization needs that organization's role or an
   environment role. A role given to a user without an organization (a role
   mapping file) is sent on each of the user's memberships: when the slug is
   defined as an organization role somewhere, it is needed in each of those
   organizations (or, for a user in none, as an environment role); when it is
   defined nowhere, it is reported once for the whole environment. Only the
   first case walks the memberships. With a single min(), SQLite takes the
   bare columns from its row. */
SELECT 'role_assignment' AS entity, g.first_id AS entity_id, a.source, g.role_slug AS source_id, a.row_number,
       'role ' || g.role_slug || CASE WHEN g.scope_key <> '' THEN ' in ' || g.scope_key ELSE '' END ||
       ' is assigned to ' || g.n || ' user(s) but not defined in staging: it must already exist in WorkOS' AS message
FROM (
    SELECT role_slug, scope_key, count(*) AS n, min(id) AS first_id
    FROM (
        SELECT ra.id, ra.role_slug, ra.scope_key FROM role_assignments ra WHERE ra.scope_key <> ''
        UNION ALL
        SELECT ra.id, ra.role_slug, o.org_key
        FROM role_assignments ra
        JOIN memberships m ON m.user_id = ra.user_id
        JOIN organizations o ON o.id = m.organization_id
        WHERE ra.scope_key = ''
          AND ra.role_slug IN (SELECT slug FROM roles WHERE scope_key <> '')
          AND ra.role_slug NOT IN (SELECT slug FROM roles WHERE scope_key = '')
        UNION ALL
        SELECT ra.id, ra.role_slug, '' FROM role_assignments ra
        WHERE ra.scope_key = ''
          AND (ra.role_slug NOT IN (SELECT slug FROM roles WHERE scope_key <> '')
               OR NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = ra.user_id))
    )
    GROUP BY role_slug, scope_key
) g
JOIN role_assignments a ON a.id = g.first_id
WHERE NOT EXISTS (SELECT 1 FROM roles r WHERE r.slug = g.role_slug AND r.scope_key IN ('', g.scope_key));
