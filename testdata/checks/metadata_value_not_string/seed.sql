INSERT INTO seed_users (source_id, row_number, email_raw, metadata) VALUES
  ('ok', 2, 'ada@example.com', '{"url":"https://example.com/a:b","note":"x: 1"}'),
  ('number', 3, 'bob@example.com', '{"age":42,"score":1.5}'),
  ('bool_null', 4, 'cy@example.com', '{"vip":true,"gone":null,"name":"Cy"}'),
  ('nested', 5, 'di@example.com', '{"address":{"city":"Paris"},"tags":["a"]}'),
  ('spaced', 6, 'ed@example.com', '{"n": 7}');
