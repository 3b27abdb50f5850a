-- name: totpSecrets
-- file: totp_secrets.csv
-- description: One row per staged TOTP secret, in the format the reference
--   tool's enroll-totp reads, with the user's address as staged (as
--   userRows writes it), of the users userRows writes.
SELECT
    coalesce(u.email_raw, u.email, '') AS email,
    t.secret                   AS totp_secret,
    coalesce(t.issuer, '')     AS totp_issuer,
    coalesce(t.user_label, '') AS totp_user
FROM totp_secrets t
JOIN users u ON u.id = t.user_id
WHERE u.change <> 'missing' AND u.id NOT IN (SELECT user_id FROM excluded_users)
ORDER BY t.user_id, t.id;
