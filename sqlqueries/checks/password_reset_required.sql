-- name: password_reset_required
-- severity: warning
-- description: The user's password is hashed with something WorkOS cannot
--   import (or the digest could not be read). The digest is kept in
--   users.source_password_digest, the user is imported without a password and
--   will have to reset it. The number of findings is the number of users who
--   will.
SELECT 'user' AS entity, id AS entity_id, source, source_id, row_number,
       'password hashed with ' || CASE WHEN source_hasher IS NULL THEN 'an unnamed hasher' ELSE quote(source_hasher) END ||
       ', which WorkOS cannot import: this user will have to reset the password' AS message
FROM users INDEXED BY users_check_no_password
WHERE password_hash IS NULL AND password IS NULL AND source_password_digest IS NOT NULL;
