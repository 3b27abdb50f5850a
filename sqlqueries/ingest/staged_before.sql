-- name: staged_before
-- description: The users of a source staged by an earlier run and not
--   already missing: what a re-ingest compares the missing ones
--   against.
-- binds: positional, by the Go code that prepares it

SELECT count(*) FROM users
WHERE source = ? AND source_tenant = ? AND first_run_id < ? AND change <> 'missing';
