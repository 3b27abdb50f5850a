INSERT INTO seed_users (id, source_id, row_number, email_raw) VALUES (1, 'user_1', 2, 'ada@example.com');
INSERT INTO skipped_users (ingest_run_id, source, source_id, file, row_number, reason, raw, created_at) VALUES
  (1, 'clerk', 'user_phone', 'users.csv', 3, 'no email address (phone-only user): WorkOS users need an email', '{}', '2026-01-01T00:00:00.000Z');
INSERT INTO org_mapping_rows (ingest_run_id, source, file, row_number, source_user_id, org_name) VALUES
  (1, 'clerk', 'orgs.csv', 2, 'user_1', 'Acme'),
  (1, 'clerk', 'orgs.csv', 3, 'user_gone', 'Acme'),
  (1, 'clerk', 'orgs.csv', 4, 'user_phone', 'Acme');
INSERT INTO role_mapping_rows (ingest_run_id, source, file, row_number, source_user_id, role_slug) VALUES
  (1, 'clerk', 'roles.csv', 2, 'user_1', 'admin'),
  (1, 'clerk', 'roles.csv', 3, 'user_gone', 'admin');
