-- name: org_not_created
-- severity: error
-- description: A staged user is mapped to an organization that nothing stages
--   or creates, so the membership or role cannot be made. Usually a role
--   mapping names an org_id or org_external_id that the org mapping never
--   mentions, or the mapping was changed after ingest.
SELECT 'org_mapping' AS entity, r.mapping_row_id AS entity_id, r.source, r.source_user_id AS source_id, r.row_number,
       'line ' || r.row_number || ' of ' || r.file || ' maps user ' || r.source_user_id || ' to ' || r.org_key ||
       ', which no organization stages' AS message
FROM org_mapping_resolved r
WHERE r.org_key IS NOT NULL
  AND EXISTS (SELECT 1 FROM users u WHERE u.source = r.source AND u.source_tenant = r.source_tenant AND u.source_id = r.source_user_id)
  AND NOT EXISTS (SELECT 1 FROM organizations o WHERE o.org_key = r.org_key)
UNION ALL
SELECT 'role_mapping', m.id, m.source, m.source_user_id, m.row_number,
       'line ' || m.row_number || ' of ' || m.file || ' gives role ' || m.role_slug || ' to user ' || m.source_user_id || ' in ' ||
       CASE WHEN m.org_id IS NOT NULL THEN 'org_id ' || m.org_id ELSE 'org_external_id ' || m.org_external_id END ||
       ', which no organization stages'
FROM role_mapping_rows m
WHERE (m.org_id IS NOT NULL OR m.org_external_id IS NOT NULL)
  AND EXISTS (SELECT 1 FROM users u WHERE u.source = m.source AND u.source_tenant = m.source_tenant AND u.source_id = m.source_user_id)
  AND NOT EXISTS (SELECT 1 FROM organizations o
                  WHERE o.org_key = CASE WHEN m.org_id IS NOT NULL THEN 'id:' || m.org_id ELSE 'ext:' || m.org_external_id END);
