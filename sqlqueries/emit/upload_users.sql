-- name: uploadUsers
-- file: workos_upload/users.csv
-- description: The WorkOS user upload template. user_id is the user's
--   external id, else the source's own id; a user_id appears once (the first
--   staged user with it wins).
SELECT user_id, email, email_verified, first_name, last_name, password_hash FROM (
    SELECT
        coalesce(nullif(u.external_id, ''), u.source_id) AS user_id,
        coalesce(u.email, '') AS email,
        CASE u.email_verified WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE '' END AS email_verified,
        coalesce(u.first_name, '') AS first_name,
        coalesce(u.last_name, '') AS last_name,
        coalesce(u.password_hash, '') AS password_hash,
        row_number() OVER (PARTITION BY coalesce(nullif(u.external_id, ''), u.source_id) ORDER BY u.id) AS n,
        u.id AS id
    FROM users u
    WHERE u.change <> 'missing'
)
WHERE n = 1
ORDER BY id;
