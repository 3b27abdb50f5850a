-- The org-mapping step reads a run's lines in file order now (see
-- sqlqueries/ingest/org_mapping.sql), so nothing reads this index any more,
-- and building it cost two seconds of a million-line ingest.

-- +goose Up
DROP INDEX org_mapping_rows_run_key;

-- +goose Down
CREATE INDEX org_mapping_rows_run_key ON org_mapping_rows(ingest_run_id, org_key, row_number);
