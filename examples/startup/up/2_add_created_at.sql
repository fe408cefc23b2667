-- Expand: a nullable column the old code does not notice.
ALTER TABLE notes ADD COLUMN created_at TEXT;
