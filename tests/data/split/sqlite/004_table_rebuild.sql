-- Change a column type: SQLite needs the 12-step table rebuild.
-- The runner wraps this file in a transaction.

PRAGMA foreign_keys = OFF;

CREATE TABLE tasks_new (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    summary     TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'open',
    due_date    TEXT,
    end_date    TEXT,
    priority    INTEGER NOT NULL DEFAULT 0
);

INSERT INTO tasks_new (id, project_id, summary, state, due_date, end_date)
SELECT id, project_id, summary, state, due_date, end_date FROM tasks;

DROP TABLE tasks;
ALTER TABLE tasks_new RENAME TO tasks;

CREATE INDEX tasks_project_state ON tasks (project_id, state);

PRAGMA foreign_key_check;
PRAGMA foreign_keys = ON;
