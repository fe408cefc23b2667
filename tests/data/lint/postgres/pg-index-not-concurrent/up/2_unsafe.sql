CREATE INDEX users_name ON users (name);
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
