-- name: readback_insert_factor
-- description: One authentication factor of a WorkOS user (its id and type:
--   lists never show a secret).
INSERT INTO reconcile_workos_factors (id, user_id, type)
VALUES (:id, :user_id, :type)
ON CONFLICT (id) DO NOTHING;
