-- migrate: no-transaction
-- Build indexes without blocking writes; each statement runs on its own.

CREATE INDEX CONCURRENTLY IF NOT EXISTS tasks_owner_state
    ON app.tasks (owner_id, state)
    WHERE state <> 'done';

/* Replace a bloated index:
   build the new one, then drop the old one. */
CREATE UNIQUE INDEX CONCURRENTLY users_email_lower_new ON app.users (lower(email));
DROP INDEX CONCURRENTLY IF EXISTS app.users_email_lower;
ALTER INDEX app.users_email_lower_new RENAME TO users_email_lower;

ALTER TABLE app.tasks ADD CONSTRAINT tasks_summary_nonempty CHECK (summary <> '') NOT VALID;
ALTER TABLE app.tasks VALIDATE CONSTRAINT tasks_summary_nonempty;
