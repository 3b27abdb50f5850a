-- name: staged_before
-- description: The users of a source staged by an earlier run and not
--   missing: what a re-ingest compares the missing ones against. Read
--   when the run begins, before it writes a user.
-- binds: positional, by the Go code that prepares it

-- users_emit holds all three columns: counting it reads no user's row,
-- which at a million users is a third of the time.
SELECT count(*) FROM users INDEXED BY users_emit
WHERE source = ? AND source_tenant = ? AND change <> 'missing';
