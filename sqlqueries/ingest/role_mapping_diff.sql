-- name: role_mapping_diff
-- description: The first step of a re-ingest that applies its role mapping
--   by difference, as org_mapping_diff.sql does for the org mapping:
--   role_mapping.sql then applies only the lines of the users staged here,
--   and role_mapping_prune.sql (with :redo_only 1) prunes only their role
--   assignments.
-- after: ingest/mapping_diff_tables.sql
-- params: :run_id, :source, :tenant, :redo_known, :after_row

-- The users whose lines differ, as in org_mapping_diff.sql (:redo_known 1:
-- the run found them from its record digests).
INSERT OR IGNORE INTO temp.mapping_redo (kind, source_user_id)
SELECT 'role', source_user_id FROM (
    SELECT source_user_id, role_slug, org_id, org_external_id, 1 AS n FROM temp.role_mapping_lines WHERE :redo_known = 0
    UNION ALL
    SELECT source_user_id, role_slug, org_id, org_external_id, -1 FROM role_mapping_rows
    WHERE :redo_known = 0 AND source = :source AND source_tenant = :tenant)
GROUP BY source_user_id, role_slug, org_id, org_external_id
HAVING sum(n) <> 0;

DELETE FROM role_mapping_rows
WHERE source = :source AND source_tenant = :tenant
  AND source_user_id IN (SELECT source_user_id FROM temp.mapping_redo WHERE kind = 'role');

-- With ids above :after_row, as in org_mapping_diff.sql.
INSERT INTO role_mapping_rows (id, ingest_run_id, source, source_tenant, file, row_number, source_user_id, role_slug, org_id, org_external_id)
SELECT :after_row + row_number() OVER (ORDER BY rowid), :run_id, :source, :tenant, file, row_number, source_user_id, role_slug, org_id, org_external_id
FROM temp.role_mapping_lines
WHERE source_user_id IN (SELECT source_user_id FROM temp.mapping_redo WHERE kind = 'role')
ORDER BY rowid;
