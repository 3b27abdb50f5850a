-- name: password_hashers
-- description: Users per source hasher and WorkOS hash type: how many keep their password and how many must reset.
SELECT source, coalesce(source_hasher, '(none)') AS source_hasher, coalesce(password_hash_type, '(none)') AS workos_type,
       count(*) AS users
FROM users GROUP BY 1, 2, 3 ORDER BY users DESC;
