-- name: org_mapping_diff
-- description: The first step of a re-ingest that applies its org mapping by
--   difference: the users whose lines must be applied again, and their lines
--   staged in place of their earlier ones. org_mapping.sql then turns only
--   those lines into organizations and memberships, and org_mapping_prune.sql
--   (with :redo_only 1) prunes only those users' memberships; the lines,
--   memberships and warnings of every other user stay as they were.
-- after: ingest/mapping_diff_tables.sql
-- params: :run_id, :source, :tenant, :redo_known, :after_row

-- A user's lines are applied again when the new file gives the user a line
-- the earlier lines did not have, or no longer gives one they had, or gives
-- it another number of times (compared as staged: the user column resolved
-- to the source id, the org columns trimmed). One sort of both sets of
-- lines finds them, unless the run found them already from the last run's
-- record digests (:redo_known 1, Run.stageMapping), and staged in
-- temp.org_mapping_lines only their lines. The users an earlier run warned
-- about are added by mapping_redo_warned.sql, before this script.
INSERT OR IGNORE INTO temp.mapping_redo (kind, source_user_id)
SELECT 'org', source_user_id FROM (
    SELECT source_user_id, org_id, org_external_id, org_name, 1 AS n FROM temp.org_mapping_lines WHERE :redo_known = 0
    UNION ALL
    SELECT source_user_id, org_id, org_external_id, org_name, -1 FROM org_mapping_rows
    WHERE :redo_known = 0 AND source = :source AND source_tenant = :tenant)
GROUP BY source_user_id, org_id, org_external_id, org_name
HAVING sum(n) <> 0;

DELETE FROM org_mapping_rows
WHERE source = :source AND source_tenant = :tenant
  AND source_user_id IN (SELECT source_user_id FROM temp.mapping_redo WHERE kind = 'org');

-- In file order, as a fresh ingest reads them: the first line of a
-- membership is the one recorded. With ids above :after_row, the largest
-- id before the DELETE, which org_mapping.sql reads from.
INSERT INTO org_mapping_rows (id, ingest_run_id, source, source_tenant, file, row_number, source_user_id, org_id, org_external_id, org_name)
SELECT :after_row + row_number() OVER (ORDER BY rowid), :run_id, :source, :tenant, file, row_number, source_user_id, org_id, org_external_id, org_name
FROM temp.org_mapping_lines
WHERE source_user_id IN (SELECT source_user_id FROM temp.mapping_redo WHERE kind = 'org')
ORDER BY rowid;
