-- name: delta_counts
-- description: The new, changed and unchanged users of a re-ingest.
-- binds: positional, by the Go code that prepares it

SELECT
count(*) FILTER (WHERE change = 'new' AND first_run_id = ?3),
count(*) FILTER (WHERE change = 'changed' AND changed_run_id = ?3),
count(*) FILTER (WHERE change = 'unchanged')
FROM users WHERE source = ?1 AND source_tenant = ?2 AND last_seen_run_id = ?3;
