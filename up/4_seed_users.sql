INSERT INTO users (id, name) VALUES (1, 'Ada Lovelace'), (2, 'Grace Hopper');
INSERT INTO posts (user_id, title, published_at)
VALUES (1, 'Notes on the Analytical Engine', '1843-09-01');
