-- name: control_characters
-- severity: warning
-- description: An email address, name, external id, username, or a metadata
--   key or value holds a control character: a NUL byte, an escape, DEL, or
--   another of Unicode's Cc (in metadata values, line breaks and tabs are
--   ordinary and not reported). It is usually debris of a broken export,
--   invisible wherever the value is shown, and WorkOS's spec does not say
--   whether it takes one; the user is sent as staged. Correct the source
--   and ingest it again. In an address or external id it is also an error
--   of email_syntax or external_id_non_ascii.
/* Checked in Go (checks.ControlCharacters, checks.MetadataControlCharacters)
   while reading the narrow users_check_text and users_check_metadata
   indexes instead of the table: a user may have a finding for each. */
SELECT 'user' AS entity, u.id AS entity_id, u.source, u.source_id, u.row_number,
       'control characters: ' || c.problem AS message
FROM (
    SELECT id, mig_control_characters(email_raw, first_name, last_name, external_id, username) AS problem
    FROM users INDEXED BY users_check_text
    UNION ALL
    SELECT id, mig_metadata_control_characters(metadata)
    FROM users INDEXED BY users_check_metadata
) c
JOIN users u ON u.id = c.id
WHERE c.problem IS NOT NULL;
