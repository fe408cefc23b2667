ALTER TABLE users ADD COLUMN tier varchar(10);
