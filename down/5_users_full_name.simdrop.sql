-- Undo step 2: bring `name` back, catch up on rows written while it was
-- hidden, and sync the two columns again.
ALTER TABLE users RENAME COLUMN name_deprecated TO name;

UPDATE users SET name = full_name;

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
