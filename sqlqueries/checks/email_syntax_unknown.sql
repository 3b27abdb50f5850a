-- name: email_syntax_unknown
-- severity: warning
-- description: The email address is valid by the standards but outside the
--   plain form WorkOS is known to take: characters outside ASCII before the
--   @ (RFC 6531), a quoted local part, an internationalised domain, or an IP
--   address as the domain. WorkOS's spec does not say whether it takes them,
--   so the user is sent as staged; if WorkOS refuses the address, that row
--   fails with WorkOS's reason and the rest of the import goes on.
/* accept.Email decides; the cases are listed, with the reason, in one
   place there. */
SELECT 'user' AS entity, u.id AS entity_id, u.source, u.source_id, u.row_number,
       'email ' || quote(e.email_raw) || ' may not be accepted by WorkOS: ' || e.problem AS message
FROM (
    SELECT id, email_raw, mig_email_problem(email_raw, 'unknown') AS problem
    FROM users INDEXED BY users_check_text
    WHERE email_raw <> ''
) e
JOIN users u ON u.id = e.id
WHERE e.problem IS NOT NULL;
