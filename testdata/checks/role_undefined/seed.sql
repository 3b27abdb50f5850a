INSERT INTO seed_users (id, source_id, row_number, email_raw) VALUES (1, 'user_1', 2, 'ada@example.com'), (2, 'user_2', 3, 'bob@example.com'), (3, 'user_3', 4, 'cy@example.com');
INSERT INTO organizations (id, org_key, resolution, name, source) VALUES (1, 'name:Acme', 'name', 'Acme', 'clerk'), (2, 'name:Beta', 'name', 'Beta', 'clerk');
INSERT INTO memberships (user_id, organization_id, source) VALUES (3, 1, 'clerk'), (3, 2, 'clerk');
INSERT INTO roles (slug, type, organization_id, scope_key, source) VALUES
  ('admin', 'environment', NULL, '', 'package'),
  ('org-owner', 'organization', 1, 'name:Acme', 'package');
INSERT INTO role_assignments (user_id, role_slug, organization_id, scope_key, source, row_number) VALUES
  (1, 'admin', NULL, '', 'clerk', 2),
  (1, 'org-owner', 1, 'name:Acme', 'clerk', 3),
  (2, 'org-owner', NULL, '', 'clerk', 4),
  (1, 'viewer', NULL, '', 'clerk', 5),
  (2, 'viewer', NULL, '', 'clerk', 6),
  (2, 'editor', 1, 'name:Acme', 'clerk', 7),
  (3, 'org-owner', NULL, '', 'clerk', 8),
  (3, 'org-helper', NULL, '', 'clerk', 9),
  (3, 'admin', NULL, '', 'clerk', 10);
