-- name: password_plaintext
-- severity: warning
-- description: The export carried the user's password in plain text. It will
--   be sent to WorkOS over TLS and hashed there; meanwhile it sits in the
--   staging database and in the export file. Delete both once imported.
SELECT 'user' AS entity, id AS entity_id, source, source_id, row_number,
       'plaintext password in the export' ||
       CASE WHEN password_hash IS NOT NULL THEN ' (a hash is staged too; the plaintext wins)' ELSE '' END AS message
FROM users INDEXED BY users_check_plaintext
WHERE password IS NOT NULL;
