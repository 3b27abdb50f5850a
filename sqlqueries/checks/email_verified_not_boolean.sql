-- name: email_verified_not_boolean
-- severity: warning
-- description: email_verified holds something other than 1, 0 or nothing
--   ('true', 'yes', 'N', ...). The fix turns the usual spellings into 1 or 0.
-- fix: normalise_booleans
SELECT 'user' AS entity, id AS entity_id, source, source_id, row_number,
       'email_verified is ' || quote(email_verified) || ', not 1 or 0' AS message
FROM users INDEXED BY users_check_verified
WHERE email_verified NOT IN (0, 1);
