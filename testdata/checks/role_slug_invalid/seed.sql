INSERT INTO seed_users (id, source_id, row_number, email_raw) VALUES (1, 'user_1', 2, 'ada@example.com'), (2, 'user_2', 3, 'bob@example.com');
INSERT INTO organizations (id, org_key, resolution, name, source) VALUES (1, 'name:Acme', 'name', 'Acme', 'clerk');
INSERT INTO roles (slug, type, organization_id, scope_key, source, row_number) VALUES
  ('admin', 'environment', NULL, '', 'package', 2),
  ('Billing Admin', 'environment', NULL, '', 'package', 3),
  ('org-owner', 'organization', 1, 'name:Acme', 'package', 4),
  ('owner', 'organization', 1, 'name:Acme', 'package', 5);
INSERT INTO role_assignments (user_id, role_slug, source, row_number) VALUES
  (1, 'admin', 'clerk', 2), (1, 'Super.User', 'clerk', 3), (2, 'Super.User', 'clerk', 4);
