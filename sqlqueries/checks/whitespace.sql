-- name: whitespace
-- severity: warning
-- description: An email address, name, external id or username starts or ends
--   with whitespace (spaces, tabs, line breaks, non-breaking spaces, a
--   byte-order mark). WorkOS would keep it as part of the value.
-- fix: trim_whitespace
/* Checked in Go (checks.EdgeSpace) while reading the narrow users_check_text
   index instead of the whole table. */
SELECT 'user' AS entity, u.id AS entity_id, u.source, u.source_id, u.row_number,
       'leading or trailing whitespace in ' || w.fields AS message
FROM (
    SELECT id, mig_edge_space(email_raw, first_name, last_name, external_id, username) AS fields
    FROM users INDEXED BY users_check_text
) w
JOIN users u ON u.id = w.id
WHERE w.fields IS NOT NULL;
