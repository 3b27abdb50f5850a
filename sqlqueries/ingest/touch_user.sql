-- name: touch_user
-- description: Records that a user is in this run's export unchanged,
--   without writing an indexed column.
-- binds: positional, by the Go code that prepares it

UPDATE users SET last_seen_run_id = ?4, row_number = ?5, change = 'unchanged'
WHERE source = ?1 AND source_tenant = ?2 AND source_id = ?3 AND content_hash = ?6 AND last_seen_run_id <> ?4;
