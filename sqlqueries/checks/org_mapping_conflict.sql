-- name: org_mapping_conflict
-- severity: warning
-- description: The org-mapping priority rule (org_id, then org_external_id
--   named by org_name, then org_name; the org_mapping_resolved view) set aside
--   a value that disagrees with what won: one org_id given with different
--   external ids or names, one external id given different names, or an
--   external id or name that identifies one organization on some lines and a
--   different one on others. Users may land in an organization that was not
--   meant. Reported once per disagreement, at its first line.
WITH r AS (SELECT * FROM org_mapping_resolved WHERE org_key IS NOT NULL),
-- Every (external id, org) and (name, org) pair a line states, won or not.
ext_claims AS (
    SELECT coalesce(org_external_id, ignored_external_id) AS ext, org_key, mapping_row_id, source, source_user_id, row_number, file
    FROM r WHERE coalesce(org_external_id, ignored_external_id) IS NOT NULL
),
name_claims AS (
    SELECT coalesce(org_name, ignored_name) AS name, org_key, mapping_row_id, source, source_user_id, row_number, file
    FROM r WHERE coalesce(org_name, ignored_name) IS NOT NULL
),
conflicts AS (
    SELECT min(mapping_row_id) AS first_id,
           org_key || ' is given external ids ' || group_concat(DISTINCT ext) AS message
    FROM ext_claims WHERE org_key LIKE 'id:%'
    GROUP BY org_key HAVING count(DISTINCT ext) > 1
    UNION ALL
    SELECT min(mapping_row_id), org_key || ' is given different names: ' || group_concat(DISTINCT quote(name)) ||
           CASE WHEN org_key LIKE 'id:%' THEN '; with an org_id every name is ignored' ELSE '; the first line''s name is used' END
    FROM name_claims
    GROUP BY org_key HAVING count(DISTINCT name) > 1
    UNION ALL
    SELECT min(mapping_row_id), 'external id ' || ext || ' identifies different organizations on different lines: ' ||
           group_concat(DISTINCT org_key)
    FROM ext_claims
    GROUP BY ext HAVING count(DISTINCT org_key) > 1
    UNION ALL
    SELECT min(mapping_row_id), 'name ' || quote(name) || ' identifies different organizations on different lines: ' ||
           group_concat(DISTINCT org_key)
    FROM name_claims
    GROUP BY name HAVING count(DISTINCT org_key) > 1
)
SELECT 'org_mapping' AS entity, m.id AS entity_id, m.source, m.source_user_id AS source_id, m.row_number,
       c.message || ' (first at line ' || m.row_number || ' of ' || m.file || ')' AS message
FROM conflicts c JOIN org_mapping_rows m ON m.id = c.first_id;
