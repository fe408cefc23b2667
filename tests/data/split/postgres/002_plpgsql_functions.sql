-- PL/pgSQL bodies are dollar-quoted: their semicolons never split.

CREATE OR REPLACE FUNCTION app.touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

ALTER TABLE app.tasks ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

CREATE TRIGGER tasks_touch BEFORE UPDATE ON app.tasks
    FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE FUNCTION app.close_task(p_id bigint, p_note text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_state app.task_state;
BEGIN
    SELECT state INTO v_state FROM app.tasks WHERE id = p_id FOR UPDATE;
    IF v_state = 'done' THEN
        RAISE NOTICE 'task % already closed; nothing to do', p_id;
        RETURN;
    END IF;
    EXECUTE format($q$UPDATE app.tasks SET state = 'done', "end" = now() WHERE id = %s$q$, p_id);
    -- $$ in here is just text; so is 'a quote
END
$fn$;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app_reader') THEN
        CREATE ROLE app_reader;
    END IF;
END
$$ LANGUAGE plpgsql;

GRANT SELECT ON ALL TABLES IN SCHEMA app TO app_reader;
