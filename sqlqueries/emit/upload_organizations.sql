-- name: uploadOrganizations
-- file: workos_upload/organizations.csv
-- description: The WorkOS organization upload template. organization_id is
--   the external id, else the WorkOS id, once each (the first staged
--   organization with it). Organizations with neither, known only by name,
--   cannot be written here and the manifest says how many.
SELECT organization_id, name FROM (
    SELECT coalesce(nullif(o.external_id, ''), o.workos_org_id) AS organization_id,
           coalesce(o.name, '') AS name, o.id,
           row_number() OVER (PARTITION BY coalesce(nullif(o.external_id, ''), o.workos_org_id) ORDER BY o.id) AS n
    FROM organizations o
    WHERE coalesce(nullif(o.external_id, ''), o.workos_org_id) IS NOT NULL
)
WHERE n = 1
ORDER BY id;
