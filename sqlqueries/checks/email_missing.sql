-- name: email_missing
-- severity: error
-- description: A staged user has no email address. WorkOS users need one, so
--   the import of this user would fail.
SELECT 'user' AS entity, u.id AS entity_id, u.source, u.source_id, u.row_number,
       'no email address: WorkOS users need one' AS message
FROM users u
WHERE u.email IS NULL OR u.email = '';
