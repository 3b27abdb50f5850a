-- name: insert_warning
-- description: One warning of an ingest run, as a reader or a package
--   recorded it.
-- binds: positional, by the Go code that prepares it

INSERT INTO warnings (ingest_run_id, source, source_tenant, code, message, entity, source_id, file, row_number, context, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);
