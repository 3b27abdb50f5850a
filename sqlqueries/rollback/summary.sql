-- name: rollback_summary
-- description: Where every object created through :endpoint stands after a
--   rollback, per entity: deleted (or gone already), kept with a reason,
--   failed, or still to do (live, or in flight after an interruption).
SELECT entity,
       count(*) AS total,
       coalesce(sum(status = 'deleted'), 0) AS deleted,
       coalesce(sum(status = 'kept'), 0) AS kept,
       coalesce(sum(status = 'failed'), 0) AS failed,
       coalesce(sum(status IN ('live', 'in_flight')), 0) AS pending
FROM rollback_items
WHERE endpoint = :endpoint
GROUP BY entity
ORDER BY entity;
