-- name: package_role_mapping_replace
-- description: For the users one role-mapping file of a package names,
--   its lines replace those earlier files of the same run gave them.
-- binds: positional, by the Go code that prepares it

DELETE FROM role_mapping_rows
WHERE ingest_run_id = ?1 AND file <> ?2
  AND source_user_id IN (SELECT source_user_id FROM role_mapping_rows WHERE ingest_run_id = ?1 AND file = ?2);
