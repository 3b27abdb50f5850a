-- name: renumber_migrations
-- description: Rewrites goose's table from the migration numbers before
--   2026-11-29 to today's: 00007 and 00008 became 00006 and 00007, and
--   00009 (an index and a view) became 00008 (the index) and 00009 (the
--   view), so a database recorded as having 00009 has both.
UPDATE goose_db_version SET version_id = version_id - 1 WHERE version_id IN (7, 8, 9);

INSERT INTO goose_db_version (version_id, is_applied, tstamp)
SELECT 9, is_applied, tstamp FROM goose_db_version WHERE version_id = 8 ORDER BY id;
