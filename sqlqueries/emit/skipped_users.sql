-- name: skippedUsers
-- file: skipped_users.jsonl
-- description: One JSON object per skipped source row: timestamp, the
--   source's user id under "<provider>_user_id" (clerk_user_id, ...), email
--   when there was one, the reason, and the file name and line when known.
--   Then one per user excluded with `mig exclude` (userRows leaves them
--   out), with the exclusion's reason and time.
SELECT line FROM (
    SELECT 0 AS part, s.id AS k, json_patch('{}', json_object(
               'timestamp', s.created_at,
               s.source || '_user_id', s.source_id,
               'email', s.email,
               'reason', s.reason,
               'file', nullif(replace(s.file, rtrim(s.file, replace(s.file, '/', '')), ''), ''),
               'row', nullif(s.row_number, 0))) AS line
    FROM skipped_users s
    UNION ALL
    SELECT 1, x.user_id, json_patch('{}', json_object(
               'timestamp', x.excluded_at,
               x.source || '_user_id', x.source_id,
               'email', x.email,
               'reason', 'excluded with mig exclude: ' || x.reason,
               'row', nullif(x.row_number, 0)))
    FROM excluded_users x
)
ORDER BY part, k;
