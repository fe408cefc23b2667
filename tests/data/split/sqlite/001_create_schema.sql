-- Initial schema for the task tracker.
-- Applied on an empty database.

PRAGMA foreign_keys = ON;

CREATE TABLE users (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    email       TEXT    NOT NULL UNIQUE,   -- login; lower-cased by the app
    name        TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

/* Projects belong to one owner;
   deleting the owner deletes the projects. */
CREATE TABLE projects (
    id        INTEGER PRIMARY KEY,
    owner_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title     TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    archived  INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    summary     TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'doing', 'done')),
    due_date    TEXT,
    end_date    TEXT
);

CREATE INDEX tasks_project_state ON tasks (project_id, state);
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));
CREATE INDEX IF NOT EXISTS tasks_due ON tasks (due_date) WHERE state <> 'done';
