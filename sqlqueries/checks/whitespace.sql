-- name: whitespace
-- severity: warning
-- description: An email address, name, external id or username starts or ends
--   with whitespace (spaces, tabs, non-breaking spaces, a byte-order mark).
--   WorkOS would keep it as part of the value.
-- fix: trim_whitespace
SELECT 'user' AS entity, id AS entity_id, source, source_id, row_number,
       'leading or trailing whitespace in ' || substr(
           CASE WHEN email_raw <> trim(email_raw, ws) THEN ', email' ELSE '' END ||
           CASE WHEN first_name <> trim(first_name, ws) THEN ', first_name' ELSE '' END ||
           CASE WHEN last_name <> trim(last_name, ws) THEN ', last_name' ELSE '' END ||
           CASE WHEN external_id <> trim(external_id, ws) THEN ', external_id' ELSE '' END ||
           CASE WHEN username <> trim(username, ws) THEN ', username' ELSE '' END, 3) AS message
FROM users, (SELECT char(32, 9, 10, 11, 12, 13, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200,
                         8201, 8202, 8232, 8233, 8239, 8287, 12288, 65279) AS ws)
WHERE email_raw <> trim(email_raw, ws) OR first_name <> trim(first_name, ws) OR last_name <> trim(last_name, ws)
   OR external_id <> trim(external_id, ws) OR username <> trim(username, ws);
