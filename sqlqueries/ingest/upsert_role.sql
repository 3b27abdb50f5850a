-- name: upsert_role
-- description: Stages a role definition, or updates the one staged with
--   the same slug and scope.
-- binds: positional, by the Go code that prepares it

INSERT INTO roles (slug, name, description, type, permissions, organization_id, scope_key, source, ingest_run_id, row_number)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (slug, scope_key) DO UPDATE SET name = excluded.name, description = excluded.description, type = excluded.type,
    permissions = excluded.permissions, organization_id = excluded.organization_id, source = excluded.source,
    ingest_run_id = excluded.ingest_run_id, row_number = excluded.row_number;
