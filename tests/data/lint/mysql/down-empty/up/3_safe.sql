ALTER TABLE users ADD COLUMN motto text;
