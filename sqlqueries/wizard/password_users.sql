-- name: wizard_password_users
-- description: How many staged users carry a password a known one can be
--   checked against (a hash WorkOS takes, a source digest it does not, or a
--   plaintext password), and the first of their addresses, which `mig
--   wizard` offers for `mig verify-password`.
SELECT count(*) AS n, coalesce(min(email), '') AS email
FROM users
WHERE change <> 'missing'
  AND (password_hash IS NOT NULL OR source_password_digest IS NOT NULL OR password IS NOT NULL);
