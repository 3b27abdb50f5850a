-- name: normalise_totp_secrets
-- description: Upper-cases TOTP secrets and removes the spaces and hyphens
--   that authenticator apps show for readability, which is how Base32
--   decoders read them anyway. A secret whose normal form the user already
--   has is left alone.
-- table: totp_secrets
-- order: 50
SELECT t.id, 'secret' AS column_name, t.secret AS before,
       upper(replace(replace(t.secret, ' ', ''), '-', '')) AS after
FROM totp_secrets t
WHERE t.secret <> upper(replace(replace(t.secret, ' ', ''), '-', ''))
  AND NOT EXISTS (SELECT 1 FROM totp_secrets o WHERE o.user_id = t.user_id AND o.id <> t.id
                  AND o.secret = upper(replace(replace(t.secret, ' ', ''), '-', '')));
