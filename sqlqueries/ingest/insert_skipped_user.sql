-- name: insert_skipped_user
-- description: One user an ingest run did not stage, with the reason
--   and the line it read.
-- binds: positional, by the Go code that prepares it

INSERT INTO skipped_users (ingest_run_id, source, source_tenant, source_id, file, row_number, email, reason, raw, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?);
