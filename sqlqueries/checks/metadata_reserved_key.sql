-- name: metadata_reserved_key
-- severity: warning
-- description: A user metadata key has the name of a WorkOS user field (email,
--   first_name, external_id, ...). It would read as that field to anyone
--   looking at the user and to tools that merge the two; the fix renames it
--   to custom_<key> when that name is free.
-- fix: rename_reserved_metadata_keys
SELECT 'user' AS entity, u.id AS entity_id, u.source, u.source_id, u.row_number,
       'metadata key ' || quote(j.key) || ' has the name of a WorkOS user field' ||
       CASE WHEN json_type(u.metadata, '$."custom_' || j.key || '"') IS NOT NULL
            THEN '; custom_' || j.key || ' is taken too, so rename it by hand' ELSE '' END AS message
FROM users u, json_each(u.metadata) j
WHERE (u.metadata LIKE '%"id"%' OR u.metadata LIKE '%"object"%' OR u.metadata LIKE '%"email%' OR u.metadata LIKE '%"first_name"%'
       OR u.metadata LIKE '%"last_name"%' OR u.metadata LIKE '%"external_id"%' OR u.metadata LIKE '%"password%'
       OR u.metadata LIKE '%"metadata"%' OR u.metadata LIKE '%"profile_picture_url"%' OR u.metadata LIKE '%_at"%'
       OR u.metadata LIKE '%"locale"%')
  AND json_valid(u.metadata) AND json_type(u.metadata) = 'object'
  AND j.key IN ('id', 'object', 'email', 'email_verified', 'first_name', 'last_name', 'external_id', 'password',
                'password_hash', 'password_hash_type', 'metadata', 'profile_picture_url', 'created_at', 'updated_at',
                'last_sign_in_at', 'locale');
