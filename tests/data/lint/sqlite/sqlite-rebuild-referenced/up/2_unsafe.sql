CREATE TABLE users_new (id int PRIMARY KEY, name varchar(80));
INSERT INTO users_new SELECT id, name FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
