-- name: readback_members_read
-- description: Every membership of organization :id is in
--   reconcile_workos_memberships.
UPDATE reconcile_workos_organizations SET members_read = 1 WHERE id = :id;
