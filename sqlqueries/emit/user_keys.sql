-- name: userKeys
-- description: What organization_memberships.csv, user_role_assignments.csv
--   and the upload memberships need of each staged user (see userRows, which
--   has the same rows with every column): its email, external id, upload
--   key and WorkOS id, in staging order. It reads the users_emit index, not
--   the user rows, so that this pass runs beside the one over userRows at a
--   fraction of its cost. The email is the address as staged, as userRows
--   writes it: the index holds the normalised one, which is the staged one
--   but for the few users whose address has capitals (or was not trimmed);
--   those are listed once from the users_check_email_raw partial index and
--   only their rows are read.
SELECT
    u.id                                  AS id,
    CASE WHEN u.id IN (SELECT id FROM users WHERE email_raw <> email)
         THEN (SELECT r.email_raw FROM users r WHERE r.id = u.id)
         ELSE coalesce(u.email, '') END   AS email,
    coalesce(u.external_id, '')           AS external_id,
    coalesce(nullif(u.external_id, ''), u.source_id) AS upload_user_id,
    coalesce(iu.workos_id, '')            AS workos_id
FROM users u INDEXED BY users_emit
LEFT JOIN import_items iu ON iu.entity = 'user' AND iu.entity_id = u.id
WHERE u.change <> 'missing'
ORDER BY u.id;
