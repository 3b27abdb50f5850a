-- name: package_connection
-- description: Stages an SSO connection of a package; its attribute
--   mappings come from their own file afterwards.
-- binds: positional, by the Go code that prepares it

INSERT INTO sso_connections (source, source_tenant, source_connection_id, protocol, name,
    organization_id, domains, config, secrets, attribute_mappings, ingest_run_id, row_number)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?)
ON CONFLICT (source, source_tenant, source_connection_id) DO UPDATE SET protocol = excluded.protocol, name = excluded.name,
    organization_id = excluded.organization_id, domains = excluded.domains, config = excluded.config,
    secrets = excluded.secrets, attribute_mappings = '[]', ingest_run_id = excluded.ingest_run_id, row_number = excluded.row_number;
