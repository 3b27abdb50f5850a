-- name: upsert_organization
-- description: Stages an organization as the source knows it; staged
--   again, empty fields keep what was staged and domains and metadata
--   are replaced.
-- binds: positional, by the Go code that prepares it

INSERT INTO organizations (org_key, resolution, workos_org_id, external_id, name, domains, metadata,
    source, source_tenant, source_org_id, ingest_run_id, row_number)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (org_key) DO UPDATE SET
    resolution = CASE WHEN organizations.resolution = 'external_id' AND excluded.resolution = 'external_id_create'
                      THEN 'external_id_create' ELSE organizations.resolution END,
    workos_org_id = coalesce(excluded.workos_org_id, organizations.workos_org_id),
    external_id = coalesce(excluded.external_id, organizations.external_id),
    name = coalesce(excluded.name, organizations.name),
    domains = excluded.domains, metadata = excluded.metadata,
    source_org_id = coalesce(excluded.source_org_id, organizations.source_org_id),
    ingest_run_id = excluded.ingest_run_id, row_number = excluded.row_number;
