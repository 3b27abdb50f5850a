-- name: metadata_limits
-- severity: error
-- description: User metadata WorkOS would refuse: not a JSON object, more than
--   50 keys, a key longer than 40 characters or a value longer than 600.
/* One pass over each object measures its keys; metadata too short to break
   a limit is not taken apart. */
WITH sizes AS (
    SELECT u.id, count(*) AS keys, max(length(j.key)) AS longest_key,
           max(CASE WHEN j.type = 'text' THEN length(j.value) ELSE length(j.atom) END) AS longest_value,
           max(CASE WHEN j.type IN ('object', 'array') THEN length(j.value) END) AS longest_json
    FROM users u, json_each(u.metadata) j
    WHERE length(u.metadata) > 44 AND json_valid(u.metadata) AND json_type(u.metadata) = 'object'
    GROUP BY u.id
    HAVING count(*) > 50 OR max(length(j.key)) > 40
        OR max(CASE WHEN j.type = 'text' THEN length(j.value) WHEN j.type IN ('object', 'array') THEN length(j.value) ELSE length(j.atom) END) > 600
),
problems AS (
    SELECT id, 'metadata is not a JSON object' AS message
    FROM users
    WHERE NOT (metadata GLOB '{*}' AND json_valid(metadata) AND json_type(metadata) = 'object')
    UNION ALL
    SELECT id, 'metadata has ' || keys || ' keys; WorkOS takes at most 50' FROM sizes WHERE keys > 50
    UNION ALL
    SELECT s.id, 'metadata key ' || quote(substr(j.key, 1, 60)) || ' is ' || length(j.key) || ' characters; WorkOS takes at most 40'
    FROM sizes s JOIN users u ON u.id = s.id, json_each(u.metadata) j
    WHERE s.longest_key > 40 AND length(j.key) > 40
    UNION ALL
    SELECT s.id, 'metadata value of ' || quote(j.key) || ' is ' || length(CASE WHEN j.type IN ('text', 'object', 'array') THEN j.value ELSE j.atom END) ||
                 ' characters; WorkOS takes at most 600'
    FROM sizes s JOIN users u ON u.id = s.id, json_each(u.metadata) j
    WHERE length(CASE WHEN j.type IN ('text', 'object', 'array') THEN j.value ELSE j.atom END) > 600
)
SELECT 'user' AS entity, u.id AS entity_id, u.source, u.source_id, u.row_number, p.message
FROM problems p JOIN users u ON u.id = p.id;
