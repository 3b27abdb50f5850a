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
SELECT 'role_assignment', min(a.id), a.source, a.role_slug, a.row_number,
       'role slug ' || quote(a.role_slug) || ', assigned to ' || count(*) || ' user(s), must be lower-case letters, digits, _ and - only'
FROM role_assignments a
WHERE a.role_slug = '' OR a.role_slug GLOB '*[^a-z0-9_-]*'
GROUP BY a.role_slug;
