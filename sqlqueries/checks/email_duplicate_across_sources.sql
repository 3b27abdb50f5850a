-- name: email_duplicate_across_sources
-- severity: error
-- description: The same email address (case-insensitive) is staged from more
--   than one source or tenant. WorkOS holds one user per address: the second
--   create would be rejected. Decide which source owns the person, or merge
--   them before importing. Reported once per address. Users excluded with
--   `mig exclude` are never sent, so they share nothing.
/* Two users are from different sources when their sources or their tenants
   differ, which min() and max() per address tell without a sort. */
WITH shared AS (
    SELECT email FROM users INDEXED BY users_email_source
    WHERE email <> ''
    GROUP BY email HAVING count(*) > 1
),
groups AS (
    SELECT u.email
    FROM shared s JOIN users u INDEXED BY users_email_source ON u.email = s.email
    WHERE u.id NOT IN (SELECT user_id FROM excluded_users)
    GROUP BY u.email
    HAVING min(u.source) <> max(u.source) OR min(u.source_tenant) <> max(u.source_tenant)
)
-- With a single min(), SQLite takes the bare columns from the row holding it.
SELECT 'user' AS entity, min(u.id) AS entity_id, u.source, u.source_id, u.row_number,
       'email ' || g.email || ' is staged from ' || count(DISTINCT u.source || char(31) || u.source_tenant) || ' sources: ' ||
       group_concat(u.source || CASE WHEN u.source_tenant <> '' THEN '/' || u.source_tenant ELSE '' END || ' ' || u.source_id, ', ' ORDER BY u.id) AS message
FROM groups g
JOIN users u ON u.email = g.email
WHERE u.id NOT IN (SELECT user_id FROM excluded_users)
GROUP BY g.email;
