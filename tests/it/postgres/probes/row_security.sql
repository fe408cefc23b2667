-- Row-level security: enabled, forced, and policies of every shape.
CREATE TABLE accounts (id integer PRIMARY KEY, owner name NOT NULL, balance numeric);
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
CREATE FUNCTION is_admin() RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT current_user = 'postgres' $$;
CREATE POLICY own_rows ON accounts USING (owner = current_user);
CREATE POLICY admin_all ON accounts AS PERMISSIVE FOR ALL TO PUBLIC USING (is_admin()) WITH CHECK (is_admin());
CREATE POLICY no_negative ON accounts AS RESTRICTIVE FOR INSERT WITH CHECK (balance >= 0);
CREATE POLICY read_only ON accounts FOR SELECT TO postgres USING (true);
COMMENT ON POLICY own_rows ON accounts IS 'Each sees their own';
CREATE TABLE notes (id integer, body text);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
