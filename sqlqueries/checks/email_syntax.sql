-- name: email_syntax
-- severity: error
-- description: The email address is not an address WorkOS can take: no @,
--   characters not allowed where they are (spaces, a second @, control
--   characters), misplaced dots, a domain without a dot, or over the length
--   limits. The address judged is the one mig sends: as staged, after fixes.
--   Valid addresses WorkOS may or may not take are email_syntax_unknown's.
/* accept.Email decides, as it does for validate-package and the emulator.
   It reads the users_check_text index, which holds email_raw, instead of
   the table. */
SELECT 'user' AS entity, u.id AS entity_id, u.source, u.source_id, u.row_number,
       'email ' || quote(e.email_raw) || ' is not a valid address: ' || e.problem AS message
FROM (
    SELECT id, email_raw, mig_email_problem(email_raw, 'rejected') AS problem
    FROM users INDEXED BY users_check_text
    WHERE email_raw <> ''
) e
JOIN users u ON u.id = e.id
WHERE e.problem IS NOT NULL;
