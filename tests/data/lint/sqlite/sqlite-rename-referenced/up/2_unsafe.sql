ALTER TABLE users RENAME TO users_old;
CREATE TABLE users (id int PRIMARY KEY, name varchar(80));
INSERT INTO users SELECT id, name FROM users_old;
DROP TABLE users_old;
