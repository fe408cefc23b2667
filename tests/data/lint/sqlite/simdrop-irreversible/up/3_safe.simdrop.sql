ALTER TABLE users RENAME TO users_deprecated;
