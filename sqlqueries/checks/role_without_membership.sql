-- name: role_without_membership
-- severity: warning
-- description: A user has roles but no organization membership they could be
--   given on: in WorkOS a role belongs to an organization membership, so
--   these roles are never sent (the user is still imported, without them).
--   Map the user to an organization (an org-mapping line), or import with
--   mig import --org-id org_..., which makes every staged user a member of
--   that organization. A role given in one organization needs a membership
--   in that one. Reported once per user and organization.
/* Which assignments are never sent is decided once, by the view
   role_assignments_not_sent (schema migration 00009), which the import plan,
   its summary and mig errors read too; this rule only words it. With a
   single min(), SQLite takes the bare columns from the row holding it. */
SELECT 'role_assignment' AS entity, min(n.id) AS entity_id, n.source, n.user_source_id AS source_id, n.row_number,
       'user ' || n.user_source_id || ' has role(s) ' || group_concat(n.role_slug, ', ' ORDER BY n.role_slug) ||
       CASE WHEN n.organization_id IS NULL
            THEN ' but belongs to no organization: in WorkOS a role is given on an organization membership, so they are never sent; ' ||
                 'map the user to an organization, or import with mig import --org-id org_...'
            ELSE ' in ' || n.org_key || ' but is not a member of it: in WorkOS a role is given on an organization membership, so they are never sent; ' ||
                 'map the user to that organization'
       END AS message
FROM role_assignments_not_sent n
GROUP BY n.user_id, n.organization_id;
