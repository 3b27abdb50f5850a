-- name: role_mapping_lines_feed
-- description: A batch of role-mapping lines of a re-ingest that applies its
--   mapping by difference, into temp.role_mapping_lines (see
--   org_mapping_lines_feed.sql).
-- binds: positional, by the Go code that prepares it

INSERT INTO temp.role_mapping_lines (ingest_run_id, source, source_tenant, file, row_number, source_user_id, role_slug, org_id, org_external_id)
SELECT ?1, ?2, ?3, ?4, row_number, source_user_id, role_slug, org_id, org_external_id FROM temp.role_mapping_feed;
