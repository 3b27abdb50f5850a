INSERT INTO seed_users (source_id, row_number, email_raw, metadata) VALUES
  ('ok', 2, 'ada@example.com', '{"email_addresses":"a@x.com","plan":"pro"}'),
  ('email', 3, 'bob@example.com', '{"email":"old@example.com","plan":"pro"}'),
  ('two', 4, 'cy@example.com', '{"first_name":"Cy","created_at":"2020-01-01"}'),
  ('taken', 5, 'di@example.com', '{"external_id":"e1","custom_external_id":"e2"}');
