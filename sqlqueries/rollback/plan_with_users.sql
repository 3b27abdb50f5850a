-- name: rollback_plan_with_users
-- description: For a dry run: the memberships and factors that go with the
--   users a rollback through :endpoint deletes (WorkOS deletes them with
--   their user; no request of their own), per entity.
SELECT ch.entity, count(*) AS n
FROM rollback_items p
JOIN rollback_children rc ON rc.parent_id = p.id
JOIN rollback_items ch ON ch.id = rc.child_id
WHERE p.entity = 'user' AND p.status <> 'deleted' AND p.endpoint = :endpoint AND ch.status <> 'deleted'
GROUP BY ch.entity
ORDER BY ch.entity;
