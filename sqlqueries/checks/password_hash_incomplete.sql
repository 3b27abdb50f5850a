-- name: password_hash_incomplete
-- severity: error
-- description: A password hash without a hash type, or a hash type without a
--   hash. WorkOS needs both or neither.
SELECT 'user' AS entity, id AS entity_id, source, source_id, row_number,
       CASE WHEN nullif(password_hash_type, '') IS NULL AND nullif(password_hash, '') IS NULL THEN 'password_hash and password_hash_type are both empty'
            WHEN nullif(password_hash_type, '') IS NULL THEN 'password_hash is set but password_hash_type is empty'
            ELSE 'password_hash_type is ' || password_hash_type || ' but password_hash is empty' END AS message
FROM users INDEXED BY users_check_hash_incomplete
WHERE (password_hash IS NULL) <> (password_hash_type IS NULL) OR password_hash = '' OR password_hash_type = '';
