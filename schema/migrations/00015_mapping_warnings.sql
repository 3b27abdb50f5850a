-- The warnings a source's mapping steps write, by the mapping they belong
-- to: 'org' (org_mapping.sql's lines, the memberships org_mapping_prune.sql
-- keeps) or 'role' (role_mapping.sql's lines). A re-ingest keeps these
-- across its run instead of deleting them with the source's other warnings
-- at the start: when it applies only the lines that changed (the mapping
-- diff, sqlqueries/ingest/org_mapping_diff.sql), the warnings of the lines
-- it leaves alone are still right. The run removes the earlier ones of a
-- mapping it restates (drop_mapping_warnings.sql) and, at its end, those of
-- a mapping it did not read at all.

-- +goose Up
CREATE VIEW mapping_warnings AS
SELECT w.id, w.ingest_run_id, w.source, w.source_tenant, w.source_id, w.code,
       CASE WHEN w.entity IN ('org_mapping', 'membership') THEN 'org' ELSE 'role' END AS kind
FROM warnings w
WHERE w.entity IN ('org_mapping', 'membership', 'role_mapping');

-- +goose Down
DROP VIEW mapping_warnings;
