-- name: org_mapping_lines_feed
-- description: A batch of org-mapping lines of a re-ingest that applies its
--   mapping by difference, into temp.org_mapping_lines (mapping_diff_tables.sql)
--   instead of org_mapping_rows; org_mapping_diff.sql then stages the lines
--   of the users whose lines changed.
-- binds: positional, by the Go code that prepares it

INSERT INTO temp.org_mapping_lines (ingest_run_id, source, source_tenant, file, row_number, source_user_id, org_id, org_external_id, org_name)
SELECT ?1, ?2, ?3, ?4, row_number, source_user_id, org_id, org_external_id, org_name FROM temp.org_mapping_feed;
