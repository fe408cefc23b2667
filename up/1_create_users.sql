-- The first version creates what the application started with. Like a
-- bootstrapped schema, it has no down file: it cannot be rolled back.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT
);
