CREATE TABLE posts_new (id int PRIMARY KEY, body text);
INSERT INTO posts_new SELECT id, body FROM posts;
DROP TABLE posts;
ALTER TABLE posts_new RENAME TO posts;
