-- name: password_candidates
-- description: Every staged user with the address given (its one
--   parameter, trimmed and lower-cased as staged) and all it has to check
--   a password against: a hash WorkOS takes, a source digest it does not,
--   or a plaintext password from the export (mig verify-password).
SELECT source, source_tenant, source_id, password_hash, password_hash_type,
       source_hasher, source_password_digest, password
FROM users
WHERE email = lower(trim(?))
ORDER BY id;
