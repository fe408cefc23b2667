CREATE VIEW app.open_tasks AS
    SELECT id, owner_id, summary FROM app.tasks WHERE state <> 'done';

-- A rule with several actions: the semicolons are inside parentheses.
CREATE RULE open_tasks_insert AS ON INSERT TO app.open_tasks DO INSTEAD (
    INSERT INTO app.tasks (owner_id, summary) VALUES (NEW.owner_id, NEW.summary);
    NOTIFY tasks_changed;
);

CREATE MATERIALIZED VIEW app.task_stats AS
SELECT owner_id,
       count(*) FILTER (WHERE state = 'done') AS done,
       count(*) AS total
  FROM app.tasks
 GROUP BY owner_id
WITH NO DATA;

REFRESH MATERIALIZED VIEW app.task_stats;
