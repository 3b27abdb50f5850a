-- Lines 2-3: org_id given with two external ids and two names.
-- Lines 4-5: external id beta names two different orgs (by itself, and set
-- aside under an org_id). Lines 6-7: name Gamma looked up by name and also
-- the name of an external-id org. Lines 8-9: agree, no finding.
INSERT INTO org_mapping_rows (ingest_run_id, source, file, row_number, source_user_id, org_id, org_external_id, org_name) VALUES
  (1, 'clerk', 'orgs.csv', 2, 'user_1', 'org_01ACME', 'acme-a', 'Acme'),
  (1, 'clerk', 'orgs.csv', 3, 'user_2', 'org_01ACME', 'acme-b', 'Acme Inc'),
  (1, 'clerk', 'orgs.csv', 4, 'user_3', NULL, 'beta', 'Beta'),
  (1, 'clerk', 'orgs.csv', 5, 'user_4', 'org_01OTHER', 'beta', NULL),
  (1, 'clerk', 'orgs.csv', 6, 'user_5', NULL, NULL, 'Gamma'),
  (1, 'clerk', 'orgs.csv', 7, 'user_6', NULL, 'gamma-ext', 'Gamma'),
  (1, 'clerk', 'orgs.csv', 8, 'user_7', 'org_01SAME', 'same', 'Same'),
  (1, 'clerk', 'orgs.csv', 9, 'user_8', 'org_01SAME', 'same', 'Same');
