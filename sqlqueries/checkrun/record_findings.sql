-- name: record_findings
-- description: Runs one check rule (its SELECT, without comments or
--   semicolon, fills the rule placeholder below) and records what it finds
--   under its name and severity, in one statement, so that no finding
--   passes through Go.
INSERT INTO findings (rule, severity, entity, entity_id, source, source_id, row_number, message, created_at)
SELECT :rule, :severity, f.entity, f.entity_id, f.source, f.source_id, f.row_number, f.message, :now
FROM (
{{rule}}
) f;
