-- name: roleAssignmentRows
-- description: Every role assignment, by user, for the merge described in
--   userRows. A membership's role_slugs are the user's roles in its
--   organization plus those without one (as staged_memberships computes
--   them), distinct and sorted; each assignment is one row of
--   user_role_assignments.csv, a user's roles without an organization first,
--   then by organization and slug, where empty organization columns mean
--   every organization the user belongs to. The organization is read as its
--   scope_key (its org_key, '' for none), which the unique index holds next
--   to user_id and role_slug: the query reads that index alone, in order,
--   instead of sorting a million rows; emit finds the organization by key.
SELECT ra.user_id, ra.scope_key, ra.role_slug
FROM role_assignments ra INDEXED BY sqlite_autoindex_role_assignments_1
ORDER BY ra.user_id;
