ALTER TABLE note DROP COLUMN created_at;
