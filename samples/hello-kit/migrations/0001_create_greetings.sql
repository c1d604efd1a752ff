-- Additive: creates the greetings table and its first row.
CREATE TABLE greetings (
  id INTEGER PRIMARY KEY,
  message TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
INSERT INTO greetings (id, message) VALUES (1, 'Hello from the demo kit');
