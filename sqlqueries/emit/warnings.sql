-- name: warnings
-- file: warnings.jsonl
-- description: One JSON object per staged warning: timestamp, code, message,
--   then where it comes from and its context. File names lose their
--   directory, so a package never carries the paths of the machine that
--   wrote it. json_patch onto '{}' drops the keys whose value is NULL.
SELECT json_patch(json_patch('{}', json_object(
           'timestamp', w.created_at,
           'code', w.code,
           'message', w.message,
           'entity', w.entity,
           'source_id', w.source_id,
           'file', CASE WHEN w.file IS NULL THEN NULL ELSE replace(w.file, rtrim(w.file, replace(w.file, '/', '')), '') END,
           'row', w.row_number)),
       CASE WHEN json_valid(w.context) AND json_type(w.context) = 'object' THEN w.context ELSE '{}' END) AS line
FROM warnings w
ORDER BY w.id;
