-- name: mark_missing
-- description: Marks missing the users of a source that this run's
--   export no longer has.
-- binds: positional, by the Go code that prepares it

UPDATE users SET change = 'missing'
WHERE source = ? AND source_tenant = ? AND last_seen_run_id < ? AND change <> 'missing';
