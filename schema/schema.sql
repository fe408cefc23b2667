-- Schema dumped by migrate from a SQLite database.
-- It recreates the schema on an empty database of the same kind.

CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    published_at TEXT
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT
, full_name TEXT);

CREATE INDEX posts_user_id ON posts (user_id, published_at);

CREATE TRIGGER users_sync_full_name AFTER UPDATE OF full_name ON users
WHEN NEW.full_name IS NOT OLD.full_name
BEGIN
    UPDATE users SET name = NEW.full_name WHERE id = NEW.id;
END;

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

-- The version tables, as migrate recorded them.
CREATE TABLE IF NOT EXISTS "db_version" (
    version TEXT PRIMARY KEY NOT NULL,
    name TEXT,
    state TEXT NOT NULL CHECK (state IN ('pending', 'added', 'simdropped', 'dropped')),
    add_release TEXT, added_at TEXT, add_seq INTEGER, add_checksum TEXT,
    simdrop_release TEXT, simdropped_at TEXT, simdrop_seq INTEGER, simdrop_checksum TEXT,
    drop_release TEXT, dropped_at TEXT, drop_seq INTEGER, drop_checksum TEXT,
    failed_operation TEXT, failed_release TEXT, statements_done INTEGER,
    done_checksum TEXT, error TEXT, error_line INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS "db_version_log" (
    id INTEGER PRIMARY KEY,
    version TEXT NOT NULL,
    operation TEXT NOT NULL,
    release TEXT,
    file TEXT,
    checksum TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT NOT NULL,
    error TEXT,
    statement INTEGER,
    line INTEGER
);
INSERT INTO "db_version" (version, name, state, add_checksum, simdrop_checksum, drop_checksum) VALUES ('1', 'create_users', 'added', '07c2ebcf4eb204a14c9ba1a2660948bfb77563b23c340748f5fe9b903c95133f', NULL, NULL);
INSERT INTO "db_version" (version, name, state, add_checksum, simdrop_checksum, drop_checksum) VALUES ('2', 'create_posts', 'added', '750eb73a980b00f24b546ab9886e781ed8ca5e46fd93ecef1f1835ef90e21720', NULL, NULL);
INSERT INTO "db_version" (version, name, state, add_checksum, simdrop_checksum, drop_checksum) VALUES ('3', 'index_posts_by_user', 'added', '315bfa1885e513df0305db0ae83e1a6c691b8a2c01e6c48a95d3efab3f798eb4', NULL, NULL);
INSERT INTO "db_version" (version, name, state, add_checksum, simdrop_checksum, drop_checksum) VALUES ('4', 'seed_users', 'added', '22c8cf906688c818efb7b02c2d61f1a8044d84e8272fc3d1485c89921accf0d7', NULL, NULL);
INSERT INTO "db_version" (version, name, state, add_checksum, simdrop_checksum, drop_checksum) VALUES ('5', 'users_full_name', 'added', '4db4ab9a79cc38b86933e3bed4475a48af65d40de302e752b38fb318e2254feb', NULL, NULL);
