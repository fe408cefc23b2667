-- Step 2 of 3 (simdrop, release 2), once no old code runs any more: stop
-- syncing and move the old column out of the way. Anything that still reads
-- `name` now fails loudly, and `migrate rollback_simdrop` brings it back
-- without losing data: the column is only renamed.
DROP TRIGGER users_sync_insert;
DROP TRIGGER users_sync_name;
DROP TRIGGER users_sync_full_name;
ALTER TABLE users RENAME COLUMN name TO name_deprecated;
