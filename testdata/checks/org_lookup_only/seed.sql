INSERT INTO seed_users (id, source_id, row_number, email_raw) VALUES (1, 'user_1', 2, 'ada@example.com'), (2, 'user_2', 3, 'bob@example.com');
INSERT INTO organizations (id, org_key, resolution, workos_org_id, external_id, name, source, row_number) VALUES
  (1, 'id:org_01ACME', 'org_id', 'org_01ACME', NULL, NULL, 'clerk', 2),
  (2, 'ext:beta', 'external_id_create', NULL, 'beta', 'Beta', 'clerk', 3),
  (3, 'ext:gamma', 'external_id', NULL, 'gamma', NULL, 'clerk', 4),
  (4, 'name:Delta', 'name', NULL, NULL, 'Delta', 'clerk', 5);
INSERT INTO memberships (user_id, organization_id, source) VALUES (1, 3, 'clerk'), (2, 3, 'clerk'), (1, 2, 'clerk');
