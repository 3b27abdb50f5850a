INSERT INTO seed_users (id, source_id, row_number, email_raw) VALUES (1, 'user_1', 2, 'ada@example.com'), (2, 'user_2', 3, 'bob@example.com');
INSERT INTO organizations (id, org_key, resolution, external_id, name, source) VALUES (1, 'ext:acme', 'external_id_create', 'acme', 'Acme', 'clerk');
INSERT INTO org_mapping_rows (ingest_run_id, source, file, row_number, source_user_id, org_id, org_external_id, org_name) VALUES
  (1, 'clerk', 'orgs.csv', 2, 'user_1', NULL, 'acme', 'Acme'),
  (1, 'clerk', 'orgs.csv', 3, 'user_2', 'org_01LOST', NULL, NULL),
  (1, 'clerk', 'orgs.csv', 4, 'user_gone', 'org_01LOST', NULL, NULL);
INSERT INTO role_mapping_rows (ingest_run_id, source, file, row_number, source_user_id, role_slug, org_id, org_external_id) VALUES
  (1, 'clerk', 'roles.csv', 2, 'user_1', 'admin', NULL, 'acme'),
  (1, 'clerk', 'roles.csv', 3, 'user_1', 'admin', NULL, 'nowhere'),
  (1, 'clerk', 'roles.csv', 4, 'user_2', 'member', NULL, NULL);
