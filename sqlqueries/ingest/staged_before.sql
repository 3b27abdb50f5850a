-- name: staged_before
-- description: The users of a source staged by an earlier run and not
--   missing: what a re-ingest compares the missing ones against. Read
--   when the run begins, before it writes a user.
-- binds: positional, by the Go code that prepares it

SELECT count(*) FROM users
WHERE source = ? AND source_tenant = ? AND change <> 'missing';
