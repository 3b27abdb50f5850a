-- name: email_lowercase
-- description: Lower-cases whole email addresses, local part included. Almost
--   every mail system treats the local part without case, but RFC 5321 does
--   not promise it, so this runs only with --lowercase-emails.
-- table: users
-- flag: lowercase-emails
-- order: 21
SELECT id, 'email_raw' AS column_name, email_raw AS before, lower(email_raw) AS after
FROM users
WHERE email_raw <> email AND email_raw GLOB '*[A-Z]*';
