-- name: email_syntax
-- severity: error
-- description: The email address is not one WorkOS accepts: a dot-atom local
--   part of ASCII characters, an @, and a domain of two or more labels
--   (internationalised domain names are allowed).
/* Most addresses match the plain GLOB and never reach the Go check. */
SELECT 'user' AS entity, u.id AS entity_id, u.source, u.source_id, u.row_number,
       'email ' || quote(coalesce(u.email_raw, u.email)) || ' is not a valid address: ' || e.problem AS message
FROM (
    SELECT id, mig_email_problem(email) AS problem
    FROM users
    WHERE email <> ''
      AND (email GLOB '*[^a-z0-9.@_+-]*' OR email NOT GLOB '?*@?*.[a-z]?*' OR email GLOB '*..*'
           OR email GLOB '.*' OR email GLOB '*.@*' OR email GLOB '*@*@*' OR email GLOB '*@-*'
           OR email GLOB '*-.*' OR email GLOB '*.-*' OR email GLOB '*-' OR email GLOB '*.'
           OR length(email) > 64)
) e
JOIN users u ON u.id = e.id
WHERE e.problem IS NOT NULL;
