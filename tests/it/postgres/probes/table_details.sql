-- Typed tables, column storage, compression, statistics and n_distinct,
-- replica identity, view column defaults.
CREATE TYPE person AS (id integer, name text, born date);
CREATE TABLE people OF person (PRIMARY KEY (id), name WITH OPTIONS NOT NULL DEFAULT 'anon');
CREATE TABLE plain_people OF person;
CREATE TABLE blobs (
    id integer NOT NULL,
    body text COMPRESSION lz4,
    raw bytea,
    small text,
    score integer
);
ALTER TABLE blobs ALTER COLUMN raw SET STORAGE EXTERNAL;
ALTER TABLE blobs ALTER COLUMN small SET STORAGE MAIN;
ALTER TABLE blobs ALTER COLUMN score SET STATISTICS 500;
ALTER TABLE blobs ALTER COLUMN score SET (n_distinct = 100, n_distinct_inherited = -0.5);
CREATE UNIQUE INDEX blobs_id ON blobs (id);
ALTER TABLE blobs REPLICA IDENTITY USING INDEX blobs_id;
CREATE TABLE logs (line text);
ALTER TABLE logs REPLICA IDENTITY FULL;
CREATE TABLE scratch (line text);
ALTER TABLE scratch REPLICA IDENTITY NOTHING;
CREATE VIEW recent_blobs AS SELECT id, score FROM blobs;
ALTER VIEW recent_blobs ALTER COLUMN score SET DEFAULT 7;
