-- name: findings_page
-- description: One page of every finding, after the id :after, in the
--   order they were found: read page by page, so that no cursor stays open
--   while the caller writes them out.
SELECT id, rule, severity, entity, entity_id, coalesce(source, '') AS source,
       coalesce(source_id, '') AS source_id, row_number, message
FROM findings
WHERE id > :after
ORDER BY id LIMIT :limit;
