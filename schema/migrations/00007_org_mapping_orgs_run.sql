-- org_mapping_rows_orgs gains the run: the org-mapping step of an ingest
-- reduces a run's million lines to their few distinct (org_id,
-- org_external_id, org_name) statements by reading this index in order,
-- with no sort and no table lookup (sqlqueries/ingest/org_mapping.sql). The
-- checks that read it group by its first three columns, as before.

-- +goose Up
DROP INDEX org_mapping_rows_orgs;
CREATE INDEX org_mapping_rows_orgs ON org_mapping_rows(org_id, org_external_id, org_name, ingest_run_id);

-- +goose Down
DROP INDEX org_mapping_rows_orgs;
CREATE INDEX org_mapping_rows_orgs ON org_mapping_rows(org_id, org_external_id, org_name);
