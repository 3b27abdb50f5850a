-- name: rename_reserved_metadata_keys
-- description: Renames metadata keys that have the name of a WorkOS user field
--   (email, first_name, external_id, ...) to custom_<key>, unless that name
--   is already taken. Key order is kept.
-- table: users
-- order: 41
/* mig_metadata_reserved_keys (checks/metadata.go) holds the one list of
   reserved keys, shared with the metadata_reserved_key rule. */
SELECT u.id, 'metadata' AS column_name, u.metadata AS before,
       (SELECT json_group_object(
                   CASE WHEN j.key IN (SELECT value FROM json_each(r.keys))
                         AND json_type(u.metadata, '$."custom_' || j.key || '"') IS NULL THEN 'custom_' || j.key ELSE j.key END,
                   CASE WHEN j.type IN ('object', 'array') THEN json(j.value) ELSE j.value END)
        FROM (SELECT * FROM json_each(u.metadata) ORDER BY id) j) AS after
FROM (SELECT id, mig_metadata_reserved_keys(metadata) AS keys FROM users INDEXED BY users_check_metadata) r
JOIN users u ON u.id = r.id
WHERE r.keys IS NOT NULL;
