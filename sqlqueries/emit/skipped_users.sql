-- name: skippedUsers
-- file: skipped_users.jsonl
-- description: One JSON object per skipped source row: timestamp, the
--   source's user id under "<provider>_user_id" (clerk_user_id, ...), email
--   when there was one, the reason, and the file name and line when known.
SELECT json_patch('{}', json_object(
           'timestamp', s.created_at,
           s.source || '_user_id', s.source_id,
           'email', s.email,
           'reason', s.reason,
           'file', nullif(replace(s.file, rtrim(s.file, replace(s.file, '/', '')), ''), ''),
           'row', nullif(s.row_number, 0))) AS line
FROM skipped_users s
ORDER BY s.id;
