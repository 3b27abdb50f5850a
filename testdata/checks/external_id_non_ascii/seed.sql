INSERT INTO seed_users (source_id, row_number, email_raw, external_id) VALUES
  ('ok', 2, 'ada@example.com', 'user_01HX-ABC:42/7'),
  ('accent', 3, 'bob@example.com', 'josé-1'),
  ('control', 4, 'cy@example.com', 'ext' || char(10) || '2'),
  ('cjk', 5, 'di@example.com', '用户3');
