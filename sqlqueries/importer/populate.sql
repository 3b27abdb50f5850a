-- name: populate
-- description: Bring import_items up to date with staging at the start of
--   every import: one pending item per new staged row; users changed since
--   WorkOS last got them, and memberships whose roles changed, pending again
--   (they are updated, not re-created); users missing from the last export
--   skipped; rows that failed or were skipped only because a user or an
--   organization they need was not there, or skipped for a `mig check` error
--   (skip_check_errors.sql), pending again to be re-evaluated; the rows of
--   users excluded with `mig exclude` (the user, its memberships and TOTP
--   factors, as the view excluded_rows lists them) skipped with the reason,
--   and pending again once the exclusion is undone. Rows done or in flight
--   are left as they are, since WorkOS has, or may have, them.
INSERT INTO import_items (entity, entity_id, status, updated_at)
SELECT 'permission', id, 'pending', :now FROM permissions WHERE true
ON CONFLICT (entity, entity_id) DO NOTHING;

INSERT INTO import_items (entity, entity_id, status, updated_at)
SELECT 'role', id, 'pending', :now FROM roles WHERE true
ON CONFLICT (entity, entity_id) DO NOTHING;

INSERT INTO import_items (entity, entity_id, status, updated_at)
SELECT 'organization', id, 'pending', :now FROM organizations WHERE true
ON CONFLICT (entity, entity_id) DO NOTHING;

INSERT INTO import_items (entity, entity_id, status, updated_at)
SELECT 'user', id, 'pending', :now FROM users WHERE true
ON CONFLICT (entity, entity_id) DO NOTHING;

INSERT INTO import_items (entity, entity_id, status, updated_at)
SELECT 'membership', id, 'pending', :now FROM memberships WHERE true
ON CONFLICT (entity, entity_id) DO NOTHING;

INSERT INTO import_items (entity, entity_id, status, updated_at)
SELECT 'totp', id, 'pending', :now FROM totp_secrets WHERE true
ON CONFLICT (entity, entity_id) DO NOTHING;

UPDATE import_items SET status = 'pending', updated_at = :now
WHERE entity = 'user' AND status = 'done'
  AND imported_hash IS NOT (SELECT u.content_hash FROM users u WHERE u.id = import_items.entity_id);

UPDATE import_items SET status = 'pending', updated_at = :now
WHERE entity = 'membership' AND status = 'done'
  AND imported_hash IS NOT (SELECT sm.role_slugs FROM staged_memberships sm WHERE sm.id = import_items.entity_id);

UPDATE import_items SET status = 'pending', error_code = NULL, message = NULL, retryable = NULL, updated_at = :now
WHERE status = 'skipped' AND error_code = 'check_error';

UPDATE import_items
SET status = 'skipped', error_code = 'missing_from_export', retryable = 0, updated_at = :now,
    message = 'The user is staged from an earlier export but absent from the last one; it is not imported.'
WHERE entity = 'user' AND status IN ('pending', 'failed')
  AND entity_id IN (SELECT id FROM users WHERE change = 'missing');

UPDATE import_items SET status = 'pending', error_code = NULL, message = NULL, retryable = NULL, updated_at = :now
WHERE entity = 'user' AND status = 'skipped' AND error_code = 'missing_from_export'
  AND entity_id NOT IN (SELECT id FROM users WHERE change = 'missing');

UPDATE import_items SET status = 'pending', updated_at = :now
WHERE status IN ('failed', 'skipped') AND error_code LIKE 'dependency\_%' ESCAPE '\';

DELETE FROM import_items
WHERE status <> 'done' AND (
       (entity = 'user' AND entity_id NOT IN (SELECT id FROM users))
    OR (entity = 'organization' AND entity_id NOT IN (SELECT id FROM organizations))
    OR (entity = 'membership' AND entity_id NOT IN (SELECT id FROM memberships))
    OR (entity = 'role' AND entity_id NOT IN (SELECT id FROM roles))
    OR (entity = 'permission' AND entity_id NOT IN (SELECT id FROM permissions))
    OR (entity = 'totp' AND entity_id NOT IN (SELECT id FROM totp_secrets)));

UPDATE import_items SET status = 'pending', error_code = NULL, message = NULL, retryable = NULL, updated_at = :now
WHERE status = 'skipped' AND error_code = 'excluded'
  AND NOT EXISTS (SELECT 1 FROM excluded_rows x
                  WHERE x.entity = import_items.entity AND x.entity_id = import_items.entity_id);

UPDATE import_items
SET status = 'skipped', error_code = 'excluded', retryable = 0, http_status = NULL,
    error_subcodes = NULL, request_id = NULL, updated_at = :now,
    message = CASE x.entity WHEN 'user' THEN 'excluded with mig exclude: ' ELSE 'its user is excluded with mig exclude: ' END
              || x.reason || ' (mig exclude --undo makes it importable again)'
FROM excluded_rows x
WHERE import_items.entity = x.entity AND import_items.entity_id = x.entity_id
  AND import_items.status IN ('pending', 'failed');
