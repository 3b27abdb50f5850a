-- name: readback_compared
-- description: How many rows of each entity mig reconcile compared (the
--   imported ones: done with a WorkOS id) and how many it could not, since
--   they are not imported (pending, in flight, failed or skipped).
SELECT entity,
       coalesce(sum(status = 'done' AND workos_id IS NOT NULL), 0) AS compared,
       coalesce(sum(status <> 'done'), 0) AS not_imported
FROM import_items
WHERE entity IN ('user', 'organization', 'membership', 'totp')
GROUP BY entity
ORDER BY entity;
