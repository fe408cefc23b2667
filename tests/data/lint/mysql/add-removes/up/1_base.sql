CREATE TABLE users (id int PRIMARY KEY, name varchar(50), email varchar(100));
CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES users (id), body text);
