-- name: exclude_users
-- description: The picked users (:ids, a JSON array of staged user ids) as
--   `mig exclude --dry-run` lists them, in id order: who they are, whether
--   they are excluded already, and their import status.
-- params: :ids
SELECT u.id, u.source, u.source_tenant, u.source_id, coalesce(u.email, '') AS email,
       x.user_id IS NOT NULL AS excluded, coalesce(x.reason, '') AS reason,
       coalesce(i.status, '') AS import_status
FROM json_each(:ids) j
JOIN users u ON u.id = j.value
LEFT JOIN excluded_users x ON x.user_id = u.id
LEFT JOIN import_items i ON i.entity = 'user' AND i.entity_id = u.id
ORDER BY u.id;
