-- name: roleAssignmentRows
-- description: Every role assignment, by user, a user's roles without an
--   organization first, for the merge described in userRows. A membership's
--   role_slugs are the user's roles in its organization plus those without
--   one (as staged_memberships computes them), distinct and sorted; each
--   assignment is one row of user_role_assignments.csv, where empty
--   organization columns mean every organization the user belongs to.
SELECT ra.user_id, coalesce(ra.organization_id, 0) AS organization_id, ra.role_slug
FROM role_assignments ra
ORDER BY ra.user_id, coalesce(ra.organization_id, 0), ra.role_slug;
