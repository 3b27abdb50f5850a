-- name: mapping_redo_warned
-- description: The users of a re-ingest that applies a mapping (:kind 'org'
--   or 'role') by difference whose lines are applied again although they did
--   not change: those an earlier run warned about (a line with no
--   organization, a user not staged or skipped then, an organization nothing
--   staged then, a membership kept because WorkOS has it). What made the
--   warning may have changed without the lines changing (the user is staged
--   now), and a repeated line warns once per line. And the users this run
--   found missing, whose lines now name a user not in the export. These
--   users are few. It
--   runs before org_mapping_diff.sql (role_mapping_diff.sql), and, when the
--   run finds the changed lines from its record digests, before it reads the
--   file a second time for the lines of these users.
-- after: ingest/delta_seen_table.sql, ingest/mapping_diff_tables.sql
-- params: :run_id, :source, :tenant, :kind

INSERT OR IGNORE INTO temp.mapping_redo (kind, source_user_id)
SELECT :kind, source_id FROM mapping_warnings
WHERE source = :source AND source_tenant = :tenant AND kind = :kind AND ingest_run_id <> :run_id AND source_id IS NOT NULL;

-- And the users this run found missing (temp.users_lost): their lines name
-- a user no longer in the export now, and warn.
INSERT OR IGNORE INTO temp.mapping_redo (kind, source_user_id)
SELECT :kind, source_id FROM temp.users_lost;
