-- name: role_mapping_feed
-- description: A batch of role-mapping lines from the run's feed,
--   stored as read; role_mapping.sql turns them into role assignments
--   at the end of the run.
-- binds: positional, by the Go code that prepares it

INSERT INTO role_mapping_rows (ingest_run_id, source, source_tenant, file, row_number, source_user_id, role_slug, org_id, org_external_id)
SELECT ?1, ?2, ?3, ?4, row_number, source_user_id, role_slug, org_id, org_external_id FROM temp.role_mapping_feed;
