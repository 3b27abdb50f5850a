-- name: page_user
-- description: One page of users to create or update, in item order. A
--   workos_id means WorkOS has the user already: the row is an update. The
--   email sent is the address as staged (email_raw, after any fixes), never
--   lower-cased here: users.email is only the key duplicates are compared by.
SELECT i.id AS item_id, i.status, coalesce(i.workos_id, '') AS workos_id, i.attempts,
       u.id AS staged_id, u.source_id, coalesce(u.email_raw, u.email, '') AS email, coalesce(u.first_name, '') AS first_name,
       coalesce(u.last_name, '') AS last_name, coalesce(u.email_verified, 0) AS email_verified,
       coalesce(u.password, '') AS password, coalesce(u.password_hash, '') AS password_hash,
       coalesce(u.password_hash_type, '') AS password_hash_type,
       coalesce(u.external_id, '') AS external_id, u.metadata, u.content_hash
FROM import_items i JOIN users u ON u.id = i.entity_id
WHERE i.entity = 'user' AND i.status = :status AND i.id > :after
ORDER BY i.id LIMIT :limit;
