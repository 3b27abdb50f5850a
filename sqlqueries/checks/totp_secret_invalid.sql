-- name: totp_secret_invalid
-- severity: error
-- description: A TOTP secret that is not valid Base32 (RFC 4648: A-Z and 2-7,
--   "=" padding only at the end) or shorter than 16 characters (80 bits).
--   WorkOS would refuse the factor and the user would lose MFA. Lower-case
--   letters, spaces and hyphens are fixed by --fix.
-- fix: normalise_totp_secrets
SELECT 'totp' AS entity, t.id AS entity_id, u.source, u.source_id, coalesce(t.row_number, u.row_number) AS row_number,
       CASE WHEN t.secret GLOB '*[^A-Z2-7=]*' THEN 'TOTP secret has characters outside Base32 (A-Z, 2-7)'
            WHEN rtrim(t.secret, '=') GLOB '*=*' THEN 'TOTP secret has "=" padding before its end'
            WHEN t.secret GLOB '*=' AND length(t.secret) % 8 <> 0 THEN 'TOTP secret padding is wrong: its length is not a multiple of 8'
            WHEN length(rtrim(t.secret, '=')) % 8 IN (1, 3, 6) THEN 'TOTP secret has a Base32 length (' || length(rtrim(t.secret, '=')) || ') that no byte string has'
            ELSE 'TOTP secret is ' || length(rtrim(t.secret, '=')) || ' characters (' || (length(rtrim(t.secret, '=')) * 5) || ' bits); at least 16 (80 bits) are needed'
       END AS message
FROM totp_secrets t JOIN users u ON u.id = t.user_id
WHERE t.secret GLOB '*[^A-Z2-7=]*' OR rtrim(t.secret, '=') GLOB '*=*'
   OR (t.secret GLOB '*=' AND length(t.secret) % 8 <> 0)
   OR length(rtrim(t.secret, '=')) % 8 IN (1, 3, 6) OR length(rtrim(t.secret, '=')) < 16;
