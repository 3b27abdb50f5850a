-- Views for the importer's failures, read by `mig errors` and by people
-- (`mig sql "select * from import_failures"`): every row that did not make
-- it into WorkOS, with what identifies it in the source and the cause.

-- +goose Up
CREATE VIEW import_failures AS
SELECT i.id AS item_id, i.entity, i.entity_id, i.status,
       CASE i.entity
           WHEN 'user' THEN u.source_id
           WHEN 'membership' THEN mu.source_id
           WHEN 'totp' THEN tu.source_id
       END AS source_id,
       CASE i.entity
           WHEN 'user' THEN u.email
           WHEN 'membership' THEN mu.email
           WHEN 'totp' THEN tu.email
       END AS email,
       CASE i.entity
           WHEN 'organization' THEN o.org_key
           WHEN 'membership' THEN mo.org_key
           WHEN 'role' THEN r.slug
           WHEN 'permission' THEN p.slug
       END AS object,
       i.http_status, i.error_code, coalesce(i.error_subcodes, '[]') AS error_subcodes,
       i.retryable, i.attempts, i.request_id, i.message, i.updated_at
FROM import_items i
LEFT JOIN users u ON i.entity = 'user' AND u.id = i.entity_id
LEFT JOIN memberships m ON i.entity = 'membership' AND m.id = i.entity_id
LEFT JOIN users mu ON mu.id = m.user_id
LEFT JOIN organizations mo ON mo.id = m.organization_id
LEFT JOIN totp_secrets t ON i.entity = 'totp' AND t.id = i.entity_id
LEFT JOIN users tu ON tu.id = t.user_id
LEFT JOIN organizations o ON i.entity = 'organization' AND o.id = i.entity_id
LEFT JOIN roles r ON i.entity = 'role' AND r.id = i.entity_id
LEFT JOIN permissions p ON i.entity = 'permission' AND p.id = i.entity_id
WHERE i.status = 'failed' OR (i.status = 'skipped' AND i.error_code IS NOT NULL);

-- +goose Down
DROP VIEW import_failures;
