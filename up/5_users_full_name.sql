-- Renaming users.name to users.full_name without downtime, step 1 of 3
-- (expand, release 1). Old code reads and writes `name`; new code reads and
-- writes `full_name`. Both run side by side during the deployment, so the new
-- column is filled from the old one and triggers keep the two in sync, in
-- both directions, whichever code writes.
ALTER TABLE users ADD COLUMN full_name TEXT;

UPDATE users SET full_name = name;

CREATE TRIGGER users_sync_insert AFTER INSERT ON users
BEGIN
    UPDATE users
    SET full_name = coalesce(NEW.full_name, NEW.name),
        name = coalesce(NEW.name, NEW.full_name)
    WHERE id = NEW.id;
END;

CREATE TRIGGER users_sync_name AFTER UPDATE OF name ON users
WHEN NEW.name IS NOT OLD.name
BEGIN
    UPDATE users SET full_name = NEW.name WHERE id = NEW.id;
END;

CREATE TRIGGER users_sync_full_name AFTER UPDATE OF full_name ON users
WHEN NEW.full_name IS NOT OLD.full_name
BEGIN
    UPDATE users SET name = NEW.full_name WHERE id = NEW.id;
END;
