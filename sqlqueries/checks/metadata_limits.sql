-- name: metadata_limits
-- severity: error
-- description: User metadata WorkOS would refuse: not a JSON object, more than
--   50 keys, a key longer than 40 characters, a value longer than 600, or a
--   value that is not a string (the fix writes numbers, booleans, objects and
--   arrays as their JSON text and drops null values).
-- fix: stringify_metadata_values
/* The object is measured in Go (checks.MetadataProblem) while reading the
   narrow users_check_metadata index instead of the whole table. */
SELECT 'user' AS entity, u.id AS entity_id, u.source, u.source_id, u.row_number, m.problem AS message
FROM (
    SELECT id, mig_metadata_problem(metadata) AS problem
    FROM users INDEXED BY users_check_metadata
) m
JOIN users u ON u.id = m.id
WHERE m.problem IS NOT NULL;
