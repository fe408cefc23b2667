ALTER TABLE users ADD COLUMN nick varchar(20);
