-- name: email_syntax
-- severity: error
-- description: The email address is not one WorkOS accepts: a dot-atom local
--   part of ASCII characters, an @, and a domain of two or more labels
--   (internationalised domain names are allowed).
/* The address is checked in Go (checks.EmailProblem) while reading the
   users_email_source index, which is much faster than any GLOB. */
SELECT 'user' AS entity, u.id AS entity_id, u.source, u.source_id, u.row_number,
       'email ' || quote(coalesce(u.email_raw, u.email)) || ' is not a valid address: ' || e.problem AS message
FROM (
    SELECT id, mig_email_problem(email) AS problem
    FROM users INDEXED BY users_email_source
    WHERE email <> ''
) e
JOIN users u ON u.id = e.id
WHERE e.problem IS NOT NULL;
