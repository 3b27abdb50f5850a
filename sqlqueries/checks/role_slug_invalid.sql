-- name: role_slug_invalid
-- severity: error
-- description: A role slug WorkOS would refuse: slugs match ^[a-z0-9_-]+$, and
--   the slug of an organization role starts with "org-". Checked on role
--   definitions and on the slugs that role mappings assign.
SELECT 'role' AS entity, r.id AS entity_id, r.source, r.slug AS source_id, r.row_number,
       CASE WHEN r.slug = '' OR r.slug GLOB '*[^a-z0-9_-]*'
            THEN 'role slug ' || quote(r.slug) || ' must be lower-case letters, digits, _ and - only'
            ELSE 'organization role ' || quote(r.slug) || ' must start with org-' END AS message
FROM roles r
WHERE r.slug = '' OR r.slug GLOB '*[^a-z0-9_-]*' OR (r.type = 'organization' AND r.slug NOT GLOB 'org-*')
UNION ALL
SELECT 'role_assignment', g.first_id, a.source, g.role_slug, a.row_number,
       'role slug ' || quote(g.role_slug) || ', assigned to ' || g.n || ' user(s), must be lower-case letters, digits, _ and - only'
FROM (
    SELECT role_slug, count(*) AS n, min(id) AS first_id
    FROM role_assignments INDEXED BY role_assignments_slug
    GROUP BY role_slug
) g
JOIN role_assignments a ON a.id = g.first_id
WHERE g.role_slug = '' OR g.role_slug GLOB '*[^a-z0-9_-]*';
