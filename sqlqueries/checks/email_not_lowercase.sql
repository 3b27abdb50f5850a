-- name: email_not_lowercase
-- severity: info
-- description: The address has capital letters. WorkOS compares addresses
--   without case, so this is only cosmetic. mig sends and emits each address
--   as staged and never lower-cases one on its own: --fix lower-cases the
--   domain; --fix --lowercase-emails lower-cases the whole address.
-- fix: email_domain_lowercase, email_lowercase
SELECT 'user' AS entity, id AS entity_id, source, source_id, row_number,
       'email ' || email_raw || ' has capital letters in ' ||
       CASE WHEN substr(email_raw, instr(email_raw, '@')) <> lower(substr(email_raw, instr(email_raw, '@'))) THEN 'the domain' ELSE 'the local part' END AS message
FROM users INDEXED BY users_check_email_raw
WHERE email_raw <> email AND lower(email_raw) <> email_raw;
