-- name: readback_factors_read
-- description: Every factor of user :id is in reconcile_workos_factors.
UPDATE reconcile_workos_users SET factors_read = 1 WHERE id = :id;
