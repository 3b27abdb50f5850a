-- name: schema_objects
-- description: The tables and views of the staging database a person may
--   want to count (mig sql --tables), without SQLite's and goose's own.
SELECT name, type
FROM sqlite_schema
WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'goose_%'
ORDER BY type, name;
