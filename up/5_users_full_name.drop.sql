-- Step 3 of 3 (drop, release 3): remove the old column for good. There is
-- no way back from here, which is why it is a separate, later release.
ALTER TABLE users DROP COLUMN name_deprecated;
