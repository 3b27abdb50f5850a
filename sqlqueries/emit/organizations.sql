-- name: organizations
-- file: organizations.csv
-- description: One row per staged organization, in staging order. Lists are
--   comma-separated inside one cell, as the reference tool writes them.
SELECT
    coalesce(o.workos_org_id, '') AS org_id,
    coalesce(o.external_id, '')   AS org_external_id,
    coalesce(o.name, '')          AS org_name,
    coalesce((SELECT group_concat(d.value, ',') FROM json_each(o.domains) d), '') AS domains,
    CASE WHEN o.metadata IN ('', '{}') THEN '' ELSE o.metadata END AS metadata
FROM organizations o
ORDER BY o.id;
