ALTER TABLE users MODIFY id bigint NOT NULL;
ALTER TABLE posts ADD CONSTRAINT posts_user FOREIGN KEY (user_id) REFERENCES users (id);
