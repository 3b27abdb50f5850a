-- name: external_id_non_ascii
-- severity: error
-- description: The external id holds characters outside printable ASCII
--   (accents, other scripts, control characters). Keep external ids ASCII:
--   they are matched byte for byte by the systems that look users up.
SELECT 'user' AS entity, u.id AS entity_id, u.source, u.source_id, u.row_number,
       'external_id ' || quote(u.external_id) || ' has characters outside printable ASCII' AS message
FROM users u
WHERE u.id IN (SELECT id FROM users INDEXED BY users_external_id WHERE external_id IS NOT NULL AND NOT mig_printable_ascii(external_id));
