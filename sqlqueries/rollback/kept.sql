-- name: rollback_kept
-- description: The rows a rollback through :endpoint kept or failed, with
--   the reason, for its summary (at most :limit).
SELECT r.entity, r.workos_id, r.status, coalesce(r.reason, '') AS reason
FROM rollback_items r
WHERE r.endpoint = :endpoint AND r.status IN ('kept', 'failed')
ORDER BY r.status, r.entity, r.id DESC
LIMIT :limit;
