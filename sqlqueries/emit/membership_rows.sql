-- name: membershipRows
-- description: Every membership, by user then by organization, for the
--   merge described in userRows: a user's first row is the membership
--   users.csv carries (the organization staged first), and all of them go to
--   organization_memberships.csv. Memberships of users that userRows leaves
--   out are skipped by the merge.
SELECT m.user_id, m.organization_id,
       CASE WHEN m.metadata IN ('', '{}') THEN '' ELSE m.metadata END AS metadata
FROM memberships m
ORDER BY m.user_id, m.organization_id;
