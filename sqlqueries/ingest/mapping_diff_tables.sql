-- name: mapping_diff_tables
-- description: The tables of a re-ingest that applies its mapping files by
--   difference (org_mapping_diff.sql, role_mapping_diff.sql): the lines the
--   new files give, as read, and the users whose lines are applied again.
--   Temporary tables of the run's connection, so the lines of a million-line
--   mapping that did not change never reach the database file; Commit drops
--   them. The scripts that read them name this one in an "after" header.

CREATE TEMP TABLE IF NOT EXISTS org_mapping_lines (
    ingest_run_id INTEGER NOT NULL, source TEXT NOT NULL, source_tenant TEXT NOT NULL, file TEXT NOT NULL,
    row_number INTEGER NOT NULL, source_user_id TEXT NOT NULL, org_id TEXT, org_external_id TEXT, org_name TEXT);

CREATE TEMP TABLE IF NOT EXISTS role_mapping_lines (
    ingest_run_id INTEGER NOT NULL, source TEXT NOT NULL, source_tenant TEXT NOT NULL, file TEXT NOT NULL,
    row_number INTEGER NOT NULL, source_user_id TEXT NOT NULL, role_slug TEXT NOT NULL, org_id TEXT, org_external_id TEXT);

CREATE TEMP TABLE IF NOT EXISTS mapping_redo (kind TEXT NOT NULL, source_user_id TEXT NOT NULL,
    PRIMARY KEY (kind, source_user_id)) WITHOUT ROWID;
