-- name: mapping_unknown_user
-- severity: warning
-- description: An org-mapping line names a user who is not in the export (or
--   was skipped at ingest): no membership is made from that line. Role
--   mapping lines of unknown users are reported by ingest, as warnings.
SELECT 'org_mapping' AS entity, m.id AS entity_id, m.source, m.source_user_id AS source_id, m.row_number,
       'line ' || m.row_number || ' of ' || m.file || ' maps user ' || m.source_user_id ||
       CASE WHEN EXISTS (SELECT 1 FROM skipped_users s WHERE s.source = m.source AND s.source_tenant = m.source_tenant AND s.source_id = m.source_user_id)
            THEN ', who was skipped at ingest (see skipped_users)' ELSE ', who is not in the export' END AS message
FROM org_mapping_rows m
WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.source = m.source AND u.source_tenant = m.source_tenant AND u.source_id = m.source_user_id);
