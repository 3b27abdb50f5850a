-- name: staged_before
-- description: The users of a source staged by an earlier run and not
--   missing: what a re-ingest compares the missing ones against; and all
--   of them, missing or not. Read
--   when the run begins, before it writes a user.
-- binds: positional, by the Go code that prepares it

-- users_emit holds all three columns: counting it reads no user's row,
-- which at a million users is a third of the time. The second count is
-- of all of them, missing or not.
SELECT count(*) FILTER (WHERE change <> 'missing'), count(*) FROM users INDEXED BY users_emit
WHERE source = ? AND source_tenant = ?;
