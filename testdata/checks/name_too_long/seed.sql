-- issue 11: a 10 MB first_name was staged without a word (ingest now bounds
-- a field at 1 MiB; this one is just under). Names over
-- accept.MaxNameChars (256) characters are found; the bound counts
-- characters, not bytes (300 bytes of "é" are 150 characters: not found).
INSERT INTO seed_users (source_id, row_number, email_raw, first_name, last_name) VALUES
  ('ok_plain', 2, 'ada@example.com', 'Ada', 'Lovelace'),
  ('ok_at_bound', 3, 'bob@example.com', printf('%.256c', 'b'), printf('%.256c', 'b')),
  ('ok_accents', 4, 'cy@example.com', replace(printf('%.150c', 'x'), 'x', 'é'), NULL),
  ('long_first', 5, 'di@example.com', printf('%.257c', 'd'), 'Short'),
  ('long_last', 6, 'ed@example.com', 'Ed', replace(printf('%.300c', 'x'), 'x', 'é')),
  ('long_both', 7, 'fay@example.com', printf('%.10000c', 'f'), printf('%.1000c', 'f')),
  ('huge', 8, 'gus@example.com', printf('%.1000000c', 'g'), NULL);
