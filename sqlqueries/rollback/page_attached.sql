-- name: rollback_page_attached
-- description: One page, newest first (ids below :before), of the
--   memberships or TOTP factors (:entity) created through :endpoint that
--   are deleted one by one: those of users who stay (adopted, or not in
--   this rollback). A user mig created and this rollback deletes
--   (:users = 1) takes them with it, one request instead of several: they
--   are left to page_users.sql. user_workos_id is the user's id when mig
--   created it and it is not deleted, so its sign-ins are looked at first.
--   A row whose staged membership is gone (a later mapping pruned it) still
--   has its WorkOS id, which is all its delete needs.
SELECT r.id, r.entity, r.entity_id, r.workos_id, r.status,
       coalesce(u.email_raw, u.email, '(no longer staged)') || coalesce(' in ' || o.org_key, '') AS label,
       '' AS slug, '' AS org_workos_id, coalesce(ru.workos_id, '') AS user_workos_id
FROM rollback_items r
LEFT JOIN memberships m ON r.entity = 'membership' AND m.id = r.entity_id
LEFT JOIN organizations o ON o.id = m.organization_id
LEFT JOIN totp_secrets t ON r.entity = 'totp' AND t.id = r.entity_id
LEFT JOIN users u ON u.id = coalesce(m.user_id, t.user_id)
LEFT JOIN rollback_items ru ON ru.entity = 'user' AND ru.entity_id = u.id AND ru.status <> 'deleted' AND ru.endpoint = :endpoint
WHERE r.entity = :entity AND r.status <> 'deleted' AND r.endpoint = :endpoint AND r.id < :before
  AND NOT (:users = 1 AND ru.id IS NOT NULL)
ORDER BY r.id DESC
LIMIT :limit;
