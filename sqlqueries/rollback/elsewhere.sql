-- name: rollback_elsewhere
-- description: What mig rollback leaves alone and says so: objects created
--   through another endpoint than :endpoint (another WorkOS, an emulator),
--   and users an import found by lookup after a create that got no answer
--   (it may have made them, or they were there before: mig cannot tell, so
--   it never deletes them).
SELECT 'created through ' || endpoint AS what, count(*) AS n
FROM rollback_items
WHERE endpoint <> :endpoint AND status <> 'deleted'
GROUP BY endpoint
UNION ALL
SELECT 'users found by lookup after a create got no answer (adopted, never deleted)', count(*)
FROM import_items
WHERE entity = 'user' AND status = 'done' AND outcome = 'adopted' AND message = :refound
HAVING count(*) > 0;
