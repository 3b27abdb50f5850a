-- name: readback_organizations_to_read
-- description: One page of WorkOS organizations whose memberships mig
--   reconcile reads: those this staging database imported (only their
--   memberships can be staged), in id order after :after.
SELECT w.id
FROM reconcile_workos_organizations w
WHERE w.members_read = 0 AND w.id > :after
  AND EXISTS (SELECT 1 FROM import_items i WHERE i.entity = 'organization' AND i.status = 'done' AND i.workos_id = w.id)
ORDER BY w.id
LIMIT :limit;
