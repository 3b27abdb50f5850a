-- name: readback_insert_organization
-- description: One WorkOS organization as its list shows it.
INSERT INTO reconcile_workos_organizations (id, name, external_id)
VALUES (:id, :name, :external_id)
ON CONFLICT (id) DO NOTHING;
