-- Four schemas that depend on each other, dumped together with
-- `--schema app,ext,ref,utils` (issue 13).
CREATE SCHEMA app;
CREATE SCHEMA utils;
CREATE SCHEMA ref;
CREATE SCHEMA ext;
COMMENT ON SCHEMA utils IS 'helpers';
-- An extension in a second schema, used by a table of a third.
CREATE EXTENSION citext SCHEMA ext;
CREATE TABLE ref.country (code text PRIMARY KEY, name ext.citext NOT NULL);
-- A function in utils used by a default and an index in app.
CREATE FUNCTION utils.slug(text) RETURNS text LANGUAGE sql IMMUTABLE
    RETURN lower(replace($1, ' ', '-'));
CREATE TYPE utils.mood AS ENUM ('sad', 'happy');
-- An FK from app to ref; a view over both.
CREATE TABLE app.city (
    id integer PRIMARY KEY,
    name text NOT NULL,
    slug text DEFAULT utils.slug('city'),
    mood utils.mood,
    country text REFERENCES ref.country
);
CREATE INDEX city_slug ON app.city (utils.slug(name));
CREATE VIEW app.city_names AS
    SELECT c.name, r.name AS country FROM app.city c JOIN ref.country r ON r.code = c.country;
-- A table in utils named like one in app, and a function of app's row type
-- in utils, used by a CHECK in app: a cycle across schemas.
CREATE TABLE utils.city (id integer);
CREATE FUNCTION utils.named(app.city) RETURNS boolean LANGUAGE sql IMMUTABLE
    RETURN $1.name <> '';
ALTER TABLE app.city ADD CONSTRAINT city_named CHECK (utils.named(city));
