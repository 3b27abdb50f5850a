-- name: readback_import_endpoints
-- description: The WorkOS endpoints this database's imports went through, so
--   that a reconcile through another one can say so.
SELECT DISTINCT endpoint FROM import_runs ORDER BY endpoint;
