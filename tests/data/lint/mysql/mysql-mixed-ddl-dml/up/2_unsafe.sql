ALTER TABLE users ADD COLUMN plan varchar(10);
UPDATE users SET plan = 'free';
