-- name: org_mapping_both_ids
-- severity: warning
-- description: An org-mapping line gives both org_id and org_external_id. By
--   the priority rule org_id wins and the external id is ignored; if the
--   external id was meant, remove the org_id.
SELECT 'org_mapping' AS entity, m.id AS entity_id, m.source, m.source_user_id AS source_id, m.row_number,
       'line ' || m.row_number || ' of ' || m.file || ' gives org_id ' || m.org_id || ' and org_external_id ' || m.org_external_id ||
       ': org_id wins and the external id is ignored' AS message
FROM org_mapping_rows m
WHERE nullif(trim(m.org_id), '') IS NOT NULL AND nullif(trim(m.org_external_id), '') IS NOT NULL;
