-- name: finish_run
-- description: Closes an ingest run with its counts.
-- binds: positional, by the Go code that prepares it

UPDATE ingest_runs SET finished_at = ?, rows_read = ?, users_new = ?, users_changed = ?,
users_unchanged = ?, users_missing = ?, users_skipped = ?, warnings = ? WHERE id = ?;
