-- Cycles through a table's own default or CHECK, which pg_dump breaks by
-- moving the default or check after the function (issue 13).
-- A column default calling a BEGIN ATOMIC function that reads the table.
CREATE TABLE tickets (id integer, note text);
CREATE FUNCTION next_ticket() RETURNS integer LANGUAGE sql
    BEGIN ATOMIC SELECT coalesce(max(id), 0) + 1 FROM tickets; END;
ALTER TABLE tickets ALTER COLUMN id SET DEFAULT next_ticket();
-- A CHECK calling a function that takes the table's row type.
CREATE TABLE items (id integer, price numeric, qty integer);
CREATE FUNCTION item_total(items) RETURNS numeric LANGUAGE sql IMMUTABLE
    RETURN $1.price * $1.qty;
ALTER TABLE items ADD CONSTRAINT items_total_positive CHECK (item_total(items) >= 0);
-- A child inheriting the column whose default is moved: it keeps it too.
CREATE TABLE special_tickets (priority integer) INHERITS (tickets);
