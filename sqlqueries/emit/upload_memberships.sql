-- name: uploadMemberships
-- file: workos_upload/organization_memberships.csv
-- description: The WorkOS membership upload template, with the ids of the
--   two other upload files: the memberships of the users and organizations
--   they list. As those ids are unique there, each pair appears once.
WITH first_orgs AS MATERIALIZED (
    SELECT id, organization_id FROM (
        SELECT o.id, coalesce(nullif(o.external_id, ''), o.workos_org_id) AS organization_id,
               row_number() OVER (PARTITION BY coalesce(nullif(o.external_id, ''), o.workos_org_id) ORDER BY o.id) AS n
        FROM organizations o
        WHERE coalesce(nullif(o.external_id, ''), o.workos_org_id) IS NOT NULL)
    WHERE n = 1
)
SELECT fo.organization_id AS organization_id,
       coalesce(nullif(u.external_id, ''), u.source_id) AS user_id
FROM memberships m
JOIN users u INDEXED BY users_emit ON u.id = m.user_id
JOIN first_orgs fo ON fo.id = m.organization_id
WHERE u.change <> 'missing'
  AND NOT EXISTS (SELECT 1 FROM users d INDEXED BY users_external_id
                  WHERE d.external_id = coalesce(nullif(u.external_id, ''), u.source_id) AND d.id < u.id AND d.change <> 'missing')
ORDER BY m.user_id, m.organization_id;
