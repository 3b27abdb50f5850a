-- name: last_run
-- description: The last ingest run of a source, with its options.
-- binds: positional, by the Go code that prepares it

SELECT id, options FROM ingest_runs
WHERE provider = ? AND source_tenant = ? ORDER BY id DESC LIMIT 1;
