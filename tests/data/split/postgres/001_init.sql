-- Initial schema.
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE SCHEMA app;

CREATE TYPE app.task_state AS ENUM ('open', 'doing', 'done');

CREATE TABLE app.users (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email       text NOT NULL UNIQUE CHECK (email ~* '^[^@;]+@[^@;]+$'),
    settings    jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now()
);

/* Tasks.
   /* Nested comments are fine in PostgreSQL; */ still inside the outer one; */
CREATE TABLE app.tasks (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id  uuid NOT NULL REFERENCES app.users (id) ON DELETE CASCADE,
    summary   text NOT NULL,
    state     app.task_state NOT NULL DEFAULT 'open',
    tags      text[] NOT NULL DEFAULT ARRAY[]::text[],
    "end"     timestamptz
);

COMMENT ON TABLE app.tasks IS 'One row per task; owned by a user.';
COMMENT ON COLUMN app.tasks."end" IS E'When the task ended.\nNULL while it is open; see \'state\'.';
