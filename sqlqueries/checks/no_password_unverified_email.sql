-- name: no_password_unverified_email
-- severity: warning
-- description: The user has no password and an email address that is not
--   verified. They cannot sign in with a password, and a magic link or reset
--   first has to prove the address: expect support requests, or send resets.
SELECT 'user' AS entity, id AS entity_id, source, source_id, row_number,
       'no password and email ' || email || ' is not verified: the user cannot sign in without a reset' AS message
FROM users INDEXED BY users_check_no_password
WHERE password_hash IS NULL AND password IS NULL
  AND email <> '' AND (email_verified IS NULL OR email_verified IN (0, '0', 'false', 'FALSE', 'False'));
