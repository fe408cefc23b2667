-- A comment on the schema itself (the dump never names its schema).
DO $$ BEGIN EXECUTE format('COMMENT ON SCHEMA %I IS %L', current_schema(), 'The application''s schema'); END $$;
CREATE TABLE settings (id integer);
