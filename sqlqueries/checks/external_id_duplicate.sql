-- name: external_id_duplicate
-- severity: error
-- description: Two or more users share an external id. WorkOS external ids are
--   unique in an environment, so all but one would be rejected. Reported once
--   per external id. Users excluded with `mig exclude` are never sent, so
--   they share nothing.
WITH dup AS (
    SELECT external_id FROM users
    WHERE external_id IS NOT NULL
    GROUP BY external_id HAVING count(*) > 1
)
-- With a single min(), SQLite takes the bare columns from the row holding it.
SELECT 'user' AS entity, min(u.id) AS entity_id, u.source, u.source_id, u.row_number,
       'external_id ' || quote(d.external_id) || ' is used by ' || count(*) || ' users: ' ||
       group_concat(u.source || ' ' || u.source_id || ' (line ' || u.row_number || ')', ', ') AS message
FROM dup d
JOIN users u ON u.external_id = d.external_id
WHERE u.id NOT IN (SELECT user_id FROM excluded_users)
GROUP BY d.external_id
HAVING count(*) > 1;
