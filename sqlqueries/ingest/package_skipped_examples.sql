-- name: package_skipped_examples
-- description: The first skipped users, as validate-package lists them:
--   a user not staged would not be imported.
-- binds: positional, by the Go code that prepares it

SELECT coalesce(file, '') AS file, coalesce(row_number, 0) AS line, '' AS field,
reason || ': the user is not staged, so it would not be imported' AS message
FROM skipped_users ORDER BY id LIMIT ?;
