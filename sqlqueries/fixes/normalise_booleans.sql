-- name: normalise_booleans
-- description: Turns spellings of true and false in email_verified ('true',
--   'yes', 'Y', 't', '1' and their opposites) into 1 and 0. Anything else is
--   left for a person to decide.
-- table: users
-- order: 30
SELECT id, 'email_verified' AS column_name, email_verified AS before,
       CASE WHEN lower(trim(email_verified)) IN ('true', 't', 'yes', 'y', '1', 'verified') THEN 1
            WHEN lower(trim(email_verified)) IN ('false', 'f', 'no', 'n', '0', 'unverified', '') THEN 0 END AS after
FROM users
WHERE email_verified IS NOT NULL AND email_verified NOT IN (0, 1)
  AND lower(trim(email_verified)) IN ('true', 't', 'yes', 'y', '1', 'verified', 'false', 'f', 'no', 'n', '0', 'unverified', '');
