-- name: package_user_seen
-- description: The user this run already staged with a source id, for
--   telling a repeated row of a package from a conflicting one.
-- binds: positional, by the Go code that prepares it

SELECT row_number, coalesce(email, ''), coalesce(first_name, ''), coalesce(last_name, ''),
coalesce(password_hash, ''), coalesce(password, '') FROM users
WHERE source = ? AND source_tenant = ? AND source_id = ? AND last_seen_run_id = ?;
