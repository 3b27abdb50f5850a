-- name: finding_examples
-- description: The first :limit findings of one rule, in the order they
--   were found, for the report's examples.
SELECT rule, severity, entity, entity_id, coalesce(source, '') AS source,
       coalesce(source_id, '') AS source_id, row_number, message
FROM findings
WHERE rule = :rule
ORDER BY id LIMIT :limit;
