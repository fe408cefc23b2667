/*
 * Reporting views and seed data.
 * Note: the last statement has no terminating semicolon.
 */

CREATE VIEW IF NOT EXISTS project_summary AS
WITH counts AS (
    SELECT project_id,
           count(*) FILTER (WHERE state = 'done') AS done,
           count(*) AS total
      FROM tasks
     GROUP BY project_id
)
SELECT p.id, p.title,
       coalesce(c.done, 0) AS done,
       coalesce(c.total, 0) AS total,
       CASE WHEN c.total IS NULL THEN 'empty'
            WHEN c.done = c.total THEN 'complete'
            ELSE 'active' END AS status
  FROM projects p LEFT JOIN counts c ON c.project_id = p.id;

INSERT INTO users (email, name) VALUES
    ('ada@example.com', 'Ada'),
    ('grace@example.com', 'Grace; Hopper');

INSERT INTO projects (owner_id, title)
SELECT id, 'Inbox' FROM users
