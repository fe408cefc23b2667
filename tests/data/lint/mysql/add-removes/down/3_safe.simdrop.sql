ALTER TABLE users RENAME COLUMN name_deprecated TO name;
