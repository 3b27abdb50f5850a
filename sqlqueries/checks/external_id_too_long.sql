-- name: external_id_too_long
-- severity: error
-- description: The external id is longer than the 128 characters WorkOS takes.
SELECT 'user' AS entity, u.id AS entity_id, u.source, u.source_id, u.row_number,
       'external_id is ' || length(u.external_id) || ' characters; WorkOS takes at most 128' AS message
FROM users u
WHERE u.id IN (SELECT id FROM users INDEXED BY users_external_id WHERE length(external_id) > 128);
