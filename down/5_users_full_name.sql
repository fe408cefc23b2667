-- Undo the expand step: old code never knew about full_name.
DROP TRIGGER users_sync_insert;
DROP TRIGGER users_sync_name;
DROP TRIGGER users_sync_full_name;
ALTER TABLE users DROP COLUMN full_name;
