-- name: metadata_reserved_key
-- severity: warning
-- description: A user metadata key has the name of a WorkOS user field (email,
--   first_name, external_id, ...). It would read as that field to anyone
--   looking at the user and to tools that merge the two; the fix renames it
--   to custom_<key> when that name is free.
-- fix: rename_reserved_metadata_keys
SELECT 'user' AS entity, u.id AS entity_id, u.source, u.source_id, u.row_number,
       'metadata key ' || quote(k.value) || ' has the name of a WorkOS user field' ||
       CASE WHEN json_type(u.metadata, '$."custom_' || k.value || '"') IS NOT NULL
            THEN '; custom_' || k.value || ' is taken too, so rename it by hand' ELSE '' END AS message
FROM (
    SELECT id, mig_metadata_reserved_keys(metadata) AS keys
    FROM users INDEXED BY users_check_metadata
) r
JOIN users u ON u.id = r.id, json_each(r.keys) k
WHERE r.keys IS NOT NULL;
