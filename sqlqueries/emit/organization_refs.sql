-- name: organizationRefs
-- description: How the merge described in userRows names each organization:
--   its WorkOS id, external id and name, and its id in the WorkOS upload
--   templates (the external id, else the WorkOS id), set only on the first
--   staged organization with that id, as workos_upload/organizations.csv
--   lists it. Organizations are few; they are held in memory, by id and by
--   org_key.
SELECT o.id, o.org_key,
       coalesce(o.workos_org_id, '') AS org_id,
       coalesce(o.external_id, '')   AS org_external_id,
       coalesce(o.name, '')          AS org_name,
       CASE WHEN row_number() OVER (PARTITION BY coalesce(nullif(o.external_id, ''), o.workos_org_id) ORDER BY o.id) = 1
            THEN coalesce(nullif(o.external_id, ''), o.workos_org_id, '') ELSE '' END AS upload_org_id
FROM organizations o
ORDER BY o.id;
