ALTER TABLE posts RENAME TO posts_old;
CREATE TABLE posts (id int PRIMARY KEY, body text);
INSERT INTO posts SELECT id, body FROM posts_old;
DROP TABLE posts_old;
