-- name: drop_invalid_password_hashes
-- description: Not a safe fix: asked for by name with
--   --drop-invalid-password-hashes. Moves each password hash WorkOS would
--   reject to source_password_digest and clears password_hash and
--   password_hash_type, so the user imports without a password and must
--   reset it. --undo-fixes puts the hashes back.
-- table: users
-- flag: drop-invalid-password-hashes
-- order: 90
WITH bad AS (
    SELECT id, password_hash, password_hash_type, source_password_digest, source_hasher FROM users
    WHERE password_hash <> '' AND password_hash_type <> ''
      AND mig_password_hash_problem(password_hash_type, password_hash) IS NOT NULL
)
SELECT id, 'source_password_digest' AS column_name, source_password_digest AS before,
       coalesce(source_password_digest, password_hash) AS after FROM bad
UNION ALL
SELECT id, 'source_hasher', source_hasher, coalesce(source_hasher, password_hash_type) FROM bad
UNION ALL
SELECT id, 'password_hash', password_hash, NULL FROM bad
UNION ALL
SELECT id, 'password_hash_type', password_hash_type, NULL FROM bad;
