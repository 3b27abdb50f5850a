-- name: email_duplicate
-- severity: error
-- description: Two or more users of one source share an email address
--   (compared case-insensitively). WorkOS holds one user per address, so all
--   but one would be rejected. Reported once per group, at its first user.
--   Users excluded with `mig exclude` are never sent, so they share nothing.
/* Addresses shared by anyone are found first on the users_email_source
   index; only those are grouped by source. */
WITH shared AS (
    SELECT email FROM users INDEXED BY users_email_source
    WHERE email <> ''
    GROUP BY email HAVING count(*) > 1
),
groups AS (
    SELECT u.email, u.source, u.source_tenant, count(*) AS n
    FROM shared s JOIN users u INDEXED BY users_email_source ON u.email = s.email
    WHERE u.id NOT IN (SELECT user_id FROM excluded_users)
    GROUP BY u.email, u.source, u.source_tenant
    HAVING count(*) > 1
)
-- With a single min(), SQLite takes the bare columns from the row holding it:
-- the group is reported at its first staged user.
SELECT 'user' AS entity, min(u.id) AS entity_id, u.source, u.source_id, u.row_number,
       'email ' || g.email || ' is shared by ' || g.n || ' users of ' || g.source ||
       CASE WHEN g.source_tenant <> '' THEN ' (' || g.source_tenant || ')' ELSE '' END || ': ' ||
       group_concat(u.source_id || ' (line ' || u.row_number || ')', ', ' ORDER BY u.id) AS message
FROM groups g
JOIN users u ON u.email = g.email AND u.source = g.source AND u.source_tenant = g.source_tenant
WHERE u.id NOT IN (SELECT user_id FROM excluded_users)
GROUP BY g.email, g.source, g.source_tenant;
