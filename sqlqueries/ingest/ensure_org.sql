-- name: ensure_org
-- description: Stages the organization a role or connection names when
--   nothing staged it yet, and returns its row id.
-- binds: positional, by the Go code that prepares it

INSERT INTO organizations (org_key, resolution, workos_org_id, external_id, name, source, source_tenant, ingest_run_id, row_number)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (org_key) DO UPDATE SET name = coalesce(organizations.name, excluded.name)
RETURNING id;
