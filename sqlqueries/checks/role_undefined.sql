-- name: role_undefined
-- severity: warning
-- description: A role is assigned to users but no role definition is staged
--   for it (neither an environment role nor a role of that organization). It
--   must already exist in WorkOS, or every assignment of it fails. Reported
--   once per role and scope.
/* Assignments are grouped first (on the role_assignments_slug index); with a
   single min(), SQLite takes the bare columns from the row holding it. */
SELECT 'role_assignment' AS entity, g.first_id AS entity_id, a.source, g.role_slug AS source_id, a.row_number,
       'role ' || g.role_slug || CASE WHEN g.scope_key <> '' THEN ' in ' || g.scope_key ELSE '' END ||
       ' is assigned to ' || g.n || ' user(s) but not defined in staging: it must already exist in WorkOS' AS message
FROM (
    SELECT role_slug, scope_key, count(*) AS n, min(id) AS first_id
    FROM role_assignments INDEXED BY role_assignments_slug
    GROUP BY role_slug, scope_key
) g
JOIN role_assignments a ON a.id = g.first_id
WHERE NOT EXISTS (SELECT 1 FROM roles r WHERE r.slug = g.role_slug AND r.scope_key IN ('', g.scope_key));
