-- name: rename_reserved_metadata_keys
-- description: Renames metadata keys that have the name of a WorkOS user field
--   (email, first_name, external_id, ...) to custom_<key>, unless that name
--   is already taken. Key order is kept.
-- table: users
-- order: 41
WITH reserved(key) AS (VALUES ('id'), ('object'), ('email'), ('email_verified'), ('first_name'), ('last_name'), ('external_id'),
    ('password'), ('password_hash'), ('password_hash_type'), ('metadata'), ('profile_picture_url'), ('created_at'), ('updated_at'),
    ('last_sign_in_at'), ('locale'))
SELECT u.id, 'metadata' AS column_name, u.metadata AS before,
       (SELECT json_group_object(
                   CASE WHEN j.key IN (SELECT key FROM reserved)
                         AND json_type(u.metadata, '$."custom_' || j.key || '"') IS NULL THEN 'custom_' || j.key ELSE j.key END,
                   CASE WHEN j.type IN ('object', 'array') THEN json(j.value) ELSE j.value END)
        FROM (SELECT * FROM json_each(u.metadata) ORDER BY id) j) AS after
FROM users u
WHERE json_valid(u.metadata) AND json_type(u.metadata) = 'object'
  AND EXISTS (SELECT 1 FROM json_each(u.metadata) j
              WHERE j.key IN (SELECT key FROM reserved) AND json_type(u.metadata, '$."custom_' || j.key || '"') IS NULL);
