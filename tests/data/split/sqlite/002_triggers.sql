-- Keep denormalised counters and an audit log up to date.

ALTER TABLE projects ADD COLUMN open_tasks INTEGER NOT NULL DEFAULT 0;

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    action  TEXT NOT NULL,
    detail  TEXT
);

CREATE TRIGGER tasks_after_insert AFTER INSERT ON tasks
FOR EACH ROW
BEGIN
    UPDATE projects
       SET open_tasks = open_tasks + CASE WHEN new.state = 'done' THEN 0 ELSE 1 END
     WHERE id = new.project_id;
    INSERT INTO audit_log (action, detail)
    VALUES ('insert', 'task ' || new.id || '; project ' || new.project_id);
END;

create trigger tasks_after_update after update of state on tasks
when old.state is not new.state
begin
    update projects set open_tasks = open_tasks
        + case when old.state = 'done' then 1 else 0 end
        - case when new.state = 'done' then 1 else 0 end
      where id = new.project_id;
    -- a comment in the body; with a semicolon
    insert into audit_log (action, detail)
    select 'state', case new.state
                        when 'done' then 'finished'
                        when 'doing' then 'started'
                        else 'reopened'
                    end;
end;

CREATE TEMP TRIGGER IF NOT EXISTS tasks_guard BEFORE DELETE ON tasks
WHEN old.state = 'doing'
BEGIN
    SELECT RAISE(ABORT, 'cannot delete a task in progress; finish it first');
END;

CREATE TRIGGER [projects archive] AFTER UPDATE OF archived ON projects
WHEN new.archived AND NOT old.archived
BEGIN
    UPDATE tasks SET state = 'done', end_date = date('now') WHERE project_id = new.id;
END
