-- name: readback_insert_user
-- description: One WorkOS user as its list shows it (never a password), its
--   metadata in canonical form (keys sorted, values strings).
INSERT INTO reconcile_workos_users (id, email, first_name, last_name, email_verified, external_id, metadata, last_sign_in_at)
VALUES (:id, :email, :first_name, :last_name, :email_verified, :external_id, :metadata, :last_sign_in_at)
ON CONFLICT (id) DO NOTHING;
