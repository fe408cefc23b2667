ALTER TABLE users RENAME COLUMN name TO name_deprecated;
