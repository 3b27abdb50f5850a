-- name: role_undefined
-- severity: warning
-- description: A role is assigned to users but no role definition is staged
--   for it (neither an environment role nor a role of that organization). It
--   must already exist in WorkOS, or every assignment of it fails. Reported
--   once per role and scope.
/* With a single min(), SQLite takes the bare columns from the row holding it. */
SELECT 'role_assignment' AS entity, min(a.id) AS entity_id, a.source, a.role_slug AS source_id, a.row_number,
       'role ' || a.role_slug || CASE WHEN a.scope_key <> '' THEN ' in ' || a.scope_key ELSE '' END ||
       ' is assigned to ' || count(*) || ' user(s) but not defined in staging: it must already exist in WorkOS' AS message
FROM role_assignments a
WHERE NOT EXISTS (SELECT 1 FROM roles r WHERE r.slug = a.role_slug AND r.scope_key IN ('', a.scope_key))
GROUP BY a.role_slug, a.scope_key;
