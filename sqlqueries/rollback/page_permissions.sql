-- name: rollback_page_permissions
-- description: One page, newest first (ids below :before), of the
--   permissions created through :endpoint that are not deleted yet, with
--   the staged roles in WorkOS that hold them and stay: environment roles
--   (WorkOS cannot delete one), roles mig adopted or kept, and with
--   :roles = 0 (roles not in this rollback) every one. A permission a role
--   that stays holds is kept, so that the role keeps granting it.
SELECT r.id, r.entity, r.entity_id, r.workos_id, r.status,
       p.slug AS label, p.slug, '' AS org_workos_id, '' AS user_workos_id,
       coalesce((
           SELECT group_concat(ro.slug || coalesce(' in ' || o.org_key, ''), ', ')
           FROM roles ro
           JOIN import_items ri ON ri.entity = 'role' AND ri.entity_id = ro.id AND ri.status = 'done'
           LEFT JOIN organizations o ON o.id = ro.organization_id
           WHERE EXISTS (SELECT 1 FROM json_each(ro.permissions) j WHERE j.value = p.slug)
             AND (:roles = 0 OR ro.organization_id IS NULL
                  OR NOT EXISTS (SELECT 1 FROM rollback_items rr
                                 WHERE rr.entity = 'role' AND rr.entity_id = ro.id
                                   AND rr.status IN ('live', 'in_flight', 'failed')))
       ), '') AS held_by
FROM rollback_items r
JOIN permissions p ON p.id = r.entity_id
WHERE r.entity = 'permission' AND r.status <> 'deleted' AND r.endpoint = :endpoint AND r.id < :before
ORDER BY r.id DESC
LIMIT :limit;
