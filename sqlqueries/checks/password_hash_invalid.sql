-- name: password_hash_invalid
-- severity: error
-- description: The password hash is not well formed for its type, or the type
--   is not one WorkOS takes (bcrypt, firebase-scrypt, ssha, scrypt, pbkdf2,
--   argon2): bcrypt's version, cost, length and alphabet; the PHC shape of
--   argon2, pbkdf2 and scrypt; firebase-scrypt with all of hash, salt, sk, ss,
--   r and m. WorkOS would reject the user. Check a known password with
--   `mig verify-password EMAIL`; --drop-invalid-password-hashes imports these
--   users without a password (they will have to reset it).
-- fix: drop_invalid_password_hashes
SELECT 'user' AS entity, u.id AS entity_id, u.source, u.source_id, u.row_number,
       p.problem AS message
FROM (
    SELECT id, mig_password_hash_problem(password_hash_type, password_hash) AS problem
    FROM users INDEXED BY users_check_hash
    WHERE password_hash IS NOT NULL AND password_hash <> '' AND password_hash_type <> ''
) p
JOIN users u ON u.id = p.id
WHERE p.problem IS NOT NULL;
