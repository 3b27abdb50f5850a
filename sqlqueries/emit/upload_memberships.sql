-- name: uploadMemberships
-- file: workos_upload/organization_memberships.csv
-- description: The WorkOS membership upload template, with the same ids as
--   the two other upload files; each (organization, user) pair once.
SELECT organization_id, user_id FROM (
    SELECT coalesce(nullif(o.external_id, ''), o.workos_org_id) AS organization_id,
           coalesce(nullif(u.external_id, ''), u.source_id) AS user_id,
           min(m.user_id) AS first_user, min(m.organization_id) AS first_org
    FROM memberships m
    JOIN users u ON u.id = m.user_id
    JOIN organizations o ON o.id = m.organization_id
    WHERE u.change <> 'missing' AND coalesce(nullif(o.external_id, ''), o.workos_org_id) IS NOT NULL
    GROUP BY 1, 2
)
ORDER BY first_user, first_org;
