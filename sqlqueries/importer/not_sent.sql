-- name: import_not_sent
-- description: What the import can never send, by reason: role assignments
--   no membership carries (see the view role_assignments_not_sent). Read by
--   `mig import --plan` and the import summary; `mig errors` lists the same
--   groups (errors.sql).
SELECT 'role assignments' AS what, reason, count(*) AS n, min(message) AS why
FROM role_assignments_not_sent
GROUP BY reason
ORDER BY reason;
