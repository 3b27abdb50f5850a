-- name: userKeys
-- description: What organization_memberships.csv, user_role_assignments.csv
--   and the upload memberships need of each staged user (see userRows, which
--   has the same rows with every column): its email, external id, upload
--   key and WorkOS id, in staging order. It reads the users_emit index, not
--   the user rows, so that this pass runs beside the one over userRows at a
--   fraction of its cost. It leaves out the users userRows leaves out. The index holds the normalised email, which is
--   the address as staged but for the few users stagedEmails lists: the
--   merge writes theirs from there, so every file has the address as
--   userRows writes it.
SELECT
    u.id                                  AS id,
    coalesce(u.email, '')                 AS email,
    coalesce(u.external_id, '')           AS external_id,
    coalesce(nullif(u.external_id, ''), u.source_id) AS upload_user_id,
    coalesce(iu.workos_id, '')            AS workos_id
FROM users u INDEXED BY users_emit
LEFT JOIN import_items iu ON iu.entity = 'user' AND iu.entity_id = u.id
WHERE u.change <> 'missing' AND u.id NOT IN (SELECT user_id FROM excluded_users)
ORDER BY u.id;
