-- name: same_mapping
-- description: The rows of a mapping file the last run of the source read,
--   when that file had the same digest as this run's and no warning of an
--   earlier run about that mapping remains (view mapping_warnings): no row
--   when the re-ingest must read the mapping (see Run.sameMapping).
-- binds: positional, by the Go code that prepares it
-- params: ?1 source, ?2 tenant, ?3 this run, ?4 the file's role, ?5 its SHA-256, ?6 the mapping's kind

SELECT f.rows FROM ingest_files f
WHERE f.ingest_run_id = (SELECT max(id) FROM ingest_runs WHERE provider = ?1 AND source_tenant = ?2 AND id <> ?3)
  AND f.role = ?4 AND f.sha256 = ?5
  AND NOT EXISTS (SELECT 1 FROM mapping_warnings w
                  WHERE w.source = ?1 AND w.source_tenant = ?2 AND w.kind = ?6 AND w.ingest_run_id <> ?3);
