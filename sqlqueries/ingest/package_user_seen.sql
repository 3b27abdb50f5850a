-- name: package_user_seen
-- description: The user this run already staged with a source id, for
--   telling a repeated row of a package from a conflicting one: written
--   by this run, or (a re-ingest writes no user that did not change) in
--   the run's temp.users_seen, with the line this run read it on.
-- binds: positional, by the Go code that prepares it

SELECT coalesce(s.row_number, u.row_number), coalesce(u.email, ''), coalesce(u.first_name, ''), coalesce(u.last_name, ''),
coalesce(u.password_hash, ''), coalesce(u.password, '') FROM users u
LEFT JOIN temp.users_seen s ON s.source_id = u.source_id
WHERE u.source = ? AND u.source_tenant = ? AND u.source_id = ? AND (u.last_seen_run_id = ? OR s.source_id IS NOT NULL);
