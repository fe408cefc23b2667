ALTER TABLE users_deprecated RENAME TO users;
