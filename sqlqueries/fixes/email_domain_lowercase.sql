-- name: email_domain_lowercase
-- description: Lower-cases the domain of each email address (the part after
--   the last @), which is case-insensitive by definition; the local part is
--   left as it is.
-- table: users
-- order: 20
SELECT id, 'email_raw' AS column_name, email_raw AS before,
       substr(email_raw, 1, length(email_raw) - length(d)) || lower(d) AS after
FROM (SELECT id, email_raw, replace(email_raw, rtrim(email_raw, replace(email_raw, '@', '')), '') AS d
      FROM users WHERE email_raw GLOB '*@*[A-Z]*' AND email_raw <> email)
WHERE d <> lower(d);
