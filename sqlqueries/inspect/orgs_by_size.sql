-- name: orgs_by_size
-- description: Staged organizations with how they are resolved in WorkOS and how many members each has, largest first.
SELECT o.org_key, o.resolution, o.name, count(m.id) AS members
FROM organizations o LEFT JOIN memberships m ON m.organization_id = o.id
GROUP BY o.id ORDER BY members DESC, o.org_key;
