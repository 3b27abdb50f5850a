-- name: org_mapping_feed
-- description: A batch of org-mapping lines from the run's feed, stored
--   as read; org_mapping.sql turns them into memberships at the end of
--   the run.
-- binds: positional, by the Go code that prepares it

INSERT INTO org_mapping_rows (ingest_run_id, source, source_tenant, file, row_number, source_user_id, org_id, org_external_id, org_name)
SELECT ?1, ?2, ?3, ?4, row_number, source_user_id, org_id, org_external_id, org_name FROM temp.org_mapping_feed;
