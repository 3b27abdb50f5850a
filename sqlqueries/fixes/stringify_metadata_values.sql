-- name: stringify_metadata_values
-- description: Writes every metadata value that is not a string as its JSON
--   text (42 becomes "42", true becomes "true", an object its JSON) and drops
--   keys whose value is null. Key order is kept.
-- table: users
-- order: 40
SELECT u.id, 'metadata' AS column_name, u.metadata AS before,
       (SELECT json_group_object(j.key, CASE j.type WHEN 'text' THEN j.value WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'
                                                    WHEN 'integer' THEN '' || j.atom WHEN 'real' THEN '' || j.atom ELSE '' || j.value END)
        FROM (SELECT * FROM json_each(u.metadata) ORDER BY id) j WHERE j.type <> 'null') AS after
FROM users u
WHERE u.id IN (SELECT id FROM users INDEXED BY users_check_metadata WHERE mig_metadata_problem(metadata) IS NOT NULL)
  AND json_valid(u.metadata) AND json_type(u.metadata) = 'object'
  AND EXISTS (SELECT 1 FROM json_each(u.metadata) j WHERE j.type <> 'text');
