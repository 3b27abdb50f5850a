-- name: uploadUsers
-- file: workos_upload/users.csv
-- description: The WorkOS user upload template. user_id is the user's
--   external id, else the source's own id. A user_id appears once: a user
--   whose key an earlier staged user already has (by external id) is left
--   out, as are that user's memberships in the upload memberships file.
SELECT
    coalesce(nullif(u.external_id, ''), u.source_id) AS user_id,
    coalesce(u.email, '') AS email,
    CASE u.email_verified WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE '' END AS email_verified,
    coalesce(u.first_name, '') AS first_name,
    coalesce(u.last_name, '') AS last_name,
    coalesce(u.password_hash, '') AS password_hash
FROM users u
WHERE u.change <> 'missing'
  AND NOT EXISTS (SELECT 1 FROM users d INDEXED BY users_external_id
                  WHERE d.external_id = coalesce(nullif(u.external_id, ''), u.source_id) AND d.id < u.id AND d.change <> 'missing')
ORDER BY u.id;
