-- name: org_mapping_conflict
-- severity: warning
-- description: The org-mapping priority rule (org_id, then org_external_id
--   named by org_name, then org_name; the org_mapping_resolved view) set aside
--   a value that disagrees with what won: one org_id given with different
--   external ids or names, one external id given different names, or an
--   external id or name that identifies one organization on some lines and a
--   different one on others. Users may land in an organization that was not
--   meant. Reported once per disagreement, at its first line.
/* The million mapping lines come down, in one pass, to the few distinct
   (organization, external id, name) statements they make; the conflicts are
   found among those. */
WITH lines AS (
    SELECT org_id, org_external_id, org_name, min(id) AS first_id
    FROM org_mapping_rows INDEXED BY org_mapping_rows_orgs
    GROUP BY org_id, org_external_id, org_name
),
/* Each distinct line goes through the priority rule once, by way of its
   first occurrence. */
claims AS (
    SELECT r.org_key, coalesce(r.org_external_id, r.ignored_external_id) AS ext, coalesce(r.org_name, r.ignored_name) AS name,
           l.first_id
    FROM lines l JOIN org_mapping_resolved r ON r.mapping_row_id = l.first_id
    WHERE r.org_key IS NOT NULL
),
conflicts AS (
    SELECT min(first_id) AS first_id,
           org_key || ' is given external ids ' || group_concat(DISTINCT ext ORDER BY ext) AS message
    FROM claims WHERE org_key LIKE 'id:%' AND ext IS NOT NULL
    GROUP BY org_key HAVING count(DISTINCT ext) > 1
    UNION ALL
    SELECT min(first_id), org_key || ' is given different names: ' || group_concat(DISTINCT quote(name) ORDER BY name) ||
           CASE WHEN org_key LIKE 'id:%' THEN '; with an org_id every name is ignored' ELSE '; the first line''s name is used' END
    FROM claims WHERE name IS NOT NULL
    GROUP BY org_key HAVING count(DISTINCT name) > 1
    UNION ALL
    SELECT min(first_id), 'external id ' || ext || ' identifies different organizations on different lines: ' ||
           group_concat(DISTINCT org_key ORDER BY org_key)
    FROM claims WHERE ext IS NOT NULL
    GROUP BY ext HAVING count(DISTINCT org_key) > 1
    UNION ALL
    SELECT min(first_id), 'name ' || quote(name) || ' identifies different organizations on different lines: ' ||
           group_concat(DISTINCT org_key ORDER BY org_key)
    FROM claims WHERE name IS NOT NULL
    GROUP BY name HAVING count(DISTINCT org_key) > 1
)
SELECT 'org_mapping' AS entity, m.id AS entity_id, m.source, m.source_user_id AS source_id, m.row_number,
       c.message || ' (first at line ' || m.row_number || ' of ' || m.file || ')' AS message
FROM conflicts c JOIN org_mapping_rows m ON m.id = c.first_id;
