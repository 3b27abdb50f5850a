-- Valid: plain, plus-tagged, IDN domain, punycode. Invalid: two @, no domain
-- dot, double dot, leading dot, hyphen label, space, quoted local part,
-- domain literal, non-ASCII local part, numeric TLD.
INSERT INTO seed_users (source_id, row_number, email_raw) VALUES
  ('ok_plain', 2, 'ada@example.com'),
  ('ok_plus', 3, 'ada+tag@mail.example.co.uk'),
  ('ok_idn', 4, 'ada@bücher.example'),
  ('ok_puny', 5, 'ada@xn--bcher-kva.example'),
  ('ok_apostrophe', 6, 'o''brien@example.com'),
  ('bad_two_at', 7, 'ada@home@example.com'),
  ('bad_no_dot', 8, 'ada@localhost'),
  ('bad_double_dot', 9, 'ada..lovelace@example.com'),
  ('bad_leading_dot', 10, '.ada@example.com'),
  ('bad_hyphen', 11, 'ada@-example.com'),
  ('bad_space', 12, 'ada lovelace@example.com'),
  ('bad_quoted', 13, '"ada"@example.com'),
  ('bad_literal', 14, 'ada@[192.0.2.1]'),
  ('bad_local_utf8', 15, 'adä@example.com'),
  ('bad_numeric_tld', 16, 'ada@example.123'),
  ('bad_no_at', 17, 'ada.example.com');
