-- name: recent_ingests
-- description: The last five ingest runs, newest first, as mig status
--   lists them.
SELECT id, provider, source_tenant, coalesce(finished_at, '') AS finished_at, rows_read
FROM ingest_runs
ORDER BY id DESC LIMIT 5;
