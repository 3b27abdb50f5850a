-- name: org_not_created
-- severity: error
-- description: A staged user is mapped to an organization that nothing stages
--   or creates, so the membership or role cannot be made. Usually a role
--   mapping names an org_id or org_external_id that the org mapping never
--   mentions, or the mapping was changed after ingest.
/* Distinct mapping lines are resolved once (see org_mapping_conflict); only
   the lines of keys that no organization has are then looked at. */
WITH lines AS (
    SELECT org_id, org_external_id, org_name, min(id) AS first_id
    FROM org_mapping_rows INDEXED BY org_mapping_rows_orgs
    GROUP BY org_id, org_external_id, org_name
),
orphans AS (
    SELECT l.org_id, l.org_external_id, l.org_name, r.org_key
    FROM lines l JOIN org_mapping_resolved r ON r.mapping_row_id = l.first_id
    WHERE r.org_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM organizations o WHERE o.org_key = r.org_key)
)
SELECT 'org_mapping' AS entity, m.id AS entity_id, m.source, m.source_user_id AS source_id, m.row_number,
       'line ' || m.row_number || ' of ' || m.file || ' maps user ' || m.source_user_id || ' to ' || o.org_key ||
       ', which no organization stages' AS message
FROM orphans o
JOIN org_mapping_rows m INDEXED BY org_mapping_rows_orgs
  ON m.org_id IS o.org_id AND m.org_external_id IS o.org_external_id AND m.org_name IS o.org_name
WHERE EXISTS (SELECT 1 FROM users u WHERE u.source = m.source AND u.source_tenant = m.source_tenant AND u.source_id = m.source_user_id)
UNION ALL
SELECT 'role_mapping', m.id, m.source, m.source_user_id, m.row_number,
       'line ' || m.row_number || ' of ' || m.file || ' gives role ' || m.role_slug || ' to user ' || m.source_user_id || ' in ' ||
       CASE WHEN m.org_id IS NOT NULL THEN 'org_id ' || m.org_id ELSE 'org_external_id ' || m.org_external_id END ||
       ', which no organization stages'
FROM role_mapping_rows m
WHERE (m.org_id IS NOT NULL OR m.org_external_id IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM organizations o
                  WHERE o.org_key = CASE WHEN m.org_id IS NOT NULL THEN 'id:' || m.org_id ELSE 'ext:' || m.org_external_id END)
  AND EXISTS (SELECT 1 FROM users u WHERE u.source = m.source AND u.source_tenant = m.source_tenant AND u.source_id = m.source_user_id);
