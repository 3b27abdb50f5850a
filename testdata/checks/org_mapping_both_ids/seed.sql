INSERT INTO seed_users (id, source_id, row_number, email_raw) VALUES (1, 'user_1', 2, 'ada@example.com'), (2, 'user_2', 3, 'bob@example.com');
INSERT INTO org_mapping_rows (ingest_run_id, source, file, row_number, source_user_id, org_id, org_external_id, org_name) VALUES
  (1, 'clerk', 'orgs.csv', 2, 'user_1', 'org_01ACME', NULL, 'Acme'),
  (1, 'clerk', 'orgs.csv', 3, 'user_2', 'org_01ACME', 'acme-ext', NULL),
  (1, 'clerk', 'orgs.csv', 4, 'user_1', NULL, 'beta-ext', 'Beta');
