INSERT INTO seed_users (source_id, row_number, email_raw) VALUES
  ('lower', 2, 'ada@example.com'),
  ('domain', 3, 'bob@Example.COM'),
  ('local', 4, 'Cy.Young@example.com'),
  ('both', 5, 'Di@EXAMPLE.com');
