-- name: readback_clear
-- description: Empty the scratch tables mig reconcile reads WorkOS into, at
--   the start of a run (a killed run may have left them full) and at its
--   end (the findings keep what matters).
DELETE FROM reconcile_workos_users;
DELETE FROM reconcile_workos_organizations;
DELETE FROM reconcile_workos_memberships;
DELETE FROM reconcile_workos_factors;
