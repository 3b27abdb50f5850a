-- name: metadata_value_not_string
-- severity: error
-- description: A user metadata value is a number, boolean, null, object or
--   array. WorkOS metadata values are strings; the fix writes each as its
--   JSON text ("42", "true", '{"a":1}') and drops null values.
-- fix: stringify_metadata_values
/* A value that is not a string shows in the JSON text as a colon not followed
   by a quote; only those rows are taken apart. */
SELECT 'user' AS entity, u.id AS entity_id, u.source, u.source_id, u.row_number,
       'metadata ' || group_concat(quote(j.key) || ' is ' || CASE j.type WHEN 'true' THEN 'a boolean' WHEN 'false' THEN 'a boolean'
           WHEN 'integer' THEN 'a number' WHEN 'real' THEN 'a number' WHEN 'null' THEN 'null' ELSE 'an ' || j.type END, ', ') ||
       '; WorkOS takes strings only' AS message
FROM users u, json_each(u.metadata) j
WHERE u.metadata GLOB '*:[^"]*' AND json_valid(u.metadata) AND json_type(u.metadata) = 'object' AND j.type <> 'text'
GROUP BY u.id;
