-- name: exclude_sources
-- description: Every source and tenant users are staged from, as a JSON
--   array of [source, source_tenant], for exclude_match_keys.
SELECT coalesce(json_group_array(json_array(source, source_tenant)), '[]') AS sources
FROM (SELECT DISTINCT source, source_tenant FROM users);
