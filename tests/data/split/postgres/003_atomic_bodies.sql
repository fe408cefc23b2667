-- SQL-standard function bodies (PostgreSQL 14+).

CREATE FUNCTION app.task_count(p_owner uuid) RETURNS bigint
    LANGUAGE sql STABLE
    RETURN (SELECT count(*) FROM app.tasks WHERE owner_id = p_owner);

CREATE OR REPLACE FUNCTION app.state_label(s app.task_state) RETURNS text
    LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
    SELECT CASE s
               WHEN 'open' THEN 'To do'
               WHEN 'doing' THEN 'In progress'
               ELSE 'Done'
           END;
END;

create procedure app.archive_done(older_than interval)
language sql
begin atomic
    insert into app.tasks_archive
        select * from app.tasks
         where state = 'done' and "end" < now() - older_than;
    delete from app.tasks
     where state = 'done' and "end" < now() - older_than;
    update app.stats set last_archive = now(),
           runs = case when runs is null then 1 else runs + 1 end;
end;

CALL app.archive_done('90 days');
