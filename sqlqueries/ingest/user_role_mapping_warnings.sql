-- name: user_role_mapping_warnings
-- description: A warning for every user role-mapping line that names no
--   staged user (nor one WorkOS already has): its role is not assigned.

INSERT INTO warnings (ingest_run_id, source, source_tenant, code, message, entity, source_id, file, row_number, created_at)
SELECT :run_id, :source, :tenant, 'role_mapping_unknown_user',
       'role mapping names ' || replace(r.source_user_id, 'ext:', 'external id ') || ', which no staged user has; the role is not assigned',
       'role_mapping', r.source_user_id, r.file, r.row_number, :now
FROM role_mapping_rows r
WHERE r.ingest_run_id = :run_id
  AND NOT CASE substr(r.source_user_id, 1, instr(r.source_user_id, ':') - 1)
        WHEN 'email' THEN EXISTS (SELECT 1 FROM users u WHERE u.email = substr(r.source_user_id, 7))
        WHEN 'ext' THEN EXISTS (SELECT 1 FROM users u WHERE u.external_id = substr(r.source_user_id, 5))
        ELSE EXISTS (SELECT 1 FROM users u WHERE u.source_id = substr(r.source_user_id, 4))
          OR EXISTS (SELECT 1 FROM import_items i WHERE i.entity = 'user' AND i.workos_id = substr(r.source_user_id, 4))
      END;
