-- issue 11: role assignments of users in no organization were never sent,
-- with no word from check. Ada is a member of Acme: her roles without an
-- organization and her role in Acme are sent. Bob is a member of nothing:
-- found, once for his roles without an organization and once for his role
-- in Acme. Cy is a member of Acme only: his role without an organization is
-- sent (on Acme), his role in Beta is found. Di has no roles: nothing.
INSERT INTO seed_users (id, source_id, row_number, email_raw) VALUES
  (1, 'user_1', 2, 'ada@example.com'), (2, 'user_2', 3, 'bob@example.com'),
  (3, 'user_3', 4, 'cy@example.com'), (4, 'user_4', 5, 'di@example.com');
INSERT INTO organizations (id, org_key, resolution, name, source) VALUES (1, 'name:Acme', 'name', 'Acme', 'clerk'), (2, 'name:Beta', 'name', 'Beta', 'clerk');
INSERT INTO memberships (user_id, organization_id, source) VALUES (1, 1, 'clerk'), (3, 1, 'clerk');
INSERT INTO role_assignments (user_id, role_slug, organization_id, scope_key, source, row_number) VALUES
  (1, 'admin', NULL, '', 'clerk', 2),
  (1, 'viewer', NULL, '', 'clerk', 3),
  (1, 'org-owner', 1, 'name:Acme', 'clerk', 4),
  (2, 'viewer', NULL, '', 'clerk', 5),
  (2, 'admin', NULL, '', 'clerk', 6),
  (2, 'org-owner', 1, 'name:Acme', 'clerk', 7),
  (3, 'viewer', NULL, '', 'clerk', 8),
  (3, 'org-owner', 2, 'name:Beta', 'clerk', 9);
