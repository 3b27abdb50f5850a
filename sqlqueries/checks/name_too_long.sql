-- name: name_too_long
-- severity: warning
-- description: A first or last name is longer than mig's bound for names
--   (accept.MaxNameChars; the message gives it). WorkOS's spec bounds no
--   user name, so whether WorkOS takes it is not known, but no real name
--   comes near it: it is usually a column shifted in the export, or data
--   that is not a name.
/* Measured in Go (checks.NameTooLong) while reading the narrow
   users_check_text index instead of the table. */
SELECT 'user' AS entity, u.id AS entity_id, u.source, u.source_id, u.row_number, n.problem AS message
FROM (
    SELECT id, mig_name_too_long(first_name, last_name) AS problem
    FROM users INDEXED BY users_check_text
) n
JOIN users u ON u.id = n.id
WHERE n.problem IS NOT NULL;
