-- name: role_without_membership
-- severity: warning
-- description: A user has roles but no organization membership they could be
--   given on: in WorkOS a role belongs to an organization membership, so
--   these roles are never sent (the user is still imported, without them).
--   Map the user to an organization (an org-mapping line), or import with
--   mig import --org-id org_..., which makes every staged user a member of
--   that organization. A role given in one organization needs a membership
--   in that one. Reported once per user and organization.
/* A role without an organization goes on each of the user's memberships,
   one in an organization on the membership there (staged_memberships). The
   assignments are read in user order on their unique index, each looked up
   on the memberships' (user_id, organization_id) index. With a single
   min(), SQLite takes the bare columns from the row holding it. */
SELECT 'role_assignment' AS entity, min(ra.id) AS entity_id, u.source, u.source_id, ra.row_number,
       'user ' || u.source_id || ' has role(s) ' || group_concat(ra.role_slug, ', ' ORDER BY ra.role_slug) ||
       CASE WHEN ra.organization_id IS NULL
            THEN ' but belongs to no organization: in WorkOS a role is given on an organization membership, so they are never sent; ' ||
                 'map the user to an organization, or import with mig import --org-id org_...'
            ELSE ' in ' || ra.scope_key || ' but is not a member of it: in WorkOS a role is given on an organization membership, so they are never sent; ' ||
                 'map the user to that organization'
       END AS message
FROM role_assignments ra INDEXED BY sqlite_autoindex_role_assignments_1
JOIN users u ON u.id = ra.user_id
WHERE NOT EXISTS (SELECT 1 FROM memberships m
                  WHERE m.user_id = ra.user_id AND (ra.organization_id IS NULL OR m.organization_id = ra.organization_id))
GROUP BY ra.user_id, ra.scope_key;
