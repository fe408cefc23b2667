ALTER TABLE note ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
