-- name: import_excluded
-- description: The import rows `mig exclude` holds back, per entity: users
--   excluded, and their memberships and TOTP factors. `mig import --plan`
--   shows them; the rows are skipped with the exclusion's reason.
SELECT entity, count(*) AS n
FROM import_items
WHERE status = 'skipped' AND error_code = 'excluded'
GROUP BY entity
ORDER BY entity;
