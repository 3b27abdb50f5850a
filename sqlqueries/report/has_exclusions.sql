-- name: report_has_exclusions
-- description: Whether the database has the exclusions table (`mig
--   exclude`): one row per column of it, none when it predates it.
SELECT name FROM pragma_table_info('exclusions');
