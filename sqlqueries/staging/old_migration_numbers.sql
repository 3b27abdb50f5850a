-- name: old_migration_numbers
-- description: 1 when goose's table records the migration numbers from
--   before 2026-11-29 (no 00006, but 00007, 00008 or 00009): a table with
--   the new numbers records 00006 whenever it records anything after
--   00005, since goose applies them in order. Run once goose's table exists.
SELECT count(*) FILTER (WHERE version_id = 6) = 0
       AND count(*) FILTER (WHERE version_id IN (7, 8, 9)) > 0 AS old
FROM goose_db_version;
