-- name: report_reconcile_exists
-- description: Whether this database has the tables `mig reconcile` writes
--   (a database made before reconcile existed has none, and the report
--   opens it read-only, without migrating it).
SELECT name FROM sqlite_schema WHERE type = 'table' AND name = 'reconcile_runs';
