-- name: readback_insert_membership
-- description: One WorkOS membership with its role slugs (a sorted JSON array).
INSERT INTO reconcile_workos_memberships (id, user_id, organization_id, status, role_slugs)
VALUES (:id, :user_id, :organization_id, :status, :role_slugs)
ON CONFLICT (id) DO NOTHING;
