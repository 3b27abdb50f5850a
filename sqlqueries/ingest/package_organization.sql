-- name: package_organization
-- description: Stages an organization of a migration package; staged
--   again, empty ids and names keep what was staged.
-- binds: positional, by the Go code that prepares it

INSERT INTO organizations (org_key, resolution, workos_org_id, external_id, name, domains, metadata,
    source, source_tenant, ingest_run_id, row_number)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (org_key) DO UPDATE SET resolution = excluded.resolution,
    workos_org_id = coalesce(excluded.workos_org_id, organizations.workos_org_id),
    external_id = coalesce(excluded.external_id, organizations.external_id),
    name = coalesce(excluded.name, organizations.name),
    domains = excluded.domains, metadata = excluded.metadata,
    ingest_run_id = excluded.ingest_run_id, row_number = excluded.row_number;
