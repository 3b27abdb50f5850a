-- name: last_run
-- description: The last ingest run of a source, with its options.

SELECT id, options FROM ingest_runs
WHERE provider = ? AND source_tenant = ? ORDER BY id DESC LIMIT 1;
