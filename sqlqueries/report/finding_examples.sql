-- name: report_finding_examples
-- description: The first findings of every rule (as many as the :examples
--   parameter asks), in the order the rule found them: where each is
--   (source, source id, line) and its message; none about excluded users
--   (view open_findings), which the counts leave out.
SELECT rule, coalesce(source, '') AS source, coalesce(source_id, '') AS source_id,
       coalesce(row_number, 0) AS row_number, message
FROM (
    SELECT f.*, row_number() OVER (PARTITION BY rule ORDER BY id) AS k
    FROM open_findings f
)
WHERE k <= :examples
ORDER BY rule, k;
