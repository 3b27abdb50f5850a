-- name: package_warning_examples
-- description: The first warnings of one code, as validate-package
--   lists them.
-- binds: positional, by the Go code that prepares it

SELECT coalesce(file, '') AS file, coalesce(row_number, 0) AS line,
coalesce(context ->> '$.field', '') AS field, message
FROM warnings WHERE code = ? ORDER BY id LIMIT ?;
