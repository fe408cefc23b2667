-- Orders that sections and names get wrong and pg_depend gets right.
-- A domain whose CHECK calls a function (the domain sorts first).
CREATE FUNCTION z_is_positive(integer) RETURNS boolean LANGUAGE sql IMMUTABLE
    RETURN $1 > 0;
CREATE DOMAIN a_positive AS integer CHECK (z_is_positive(VALUE));
-- A column typed as a table that sorts later by name.
CREATE TABLE z_point (x integer, y integer);
CREATE TABLE a_shape (id integer, corner z_point, size a_positive);
-- An index on a function of the table's row type.
CREATE TABLE items (id integer, price numeric, qty integer);
CREATE FUNCTION item_total(items) RETURNS numeric LANGUAGE sql IMMUTABLE
    RETURN $1.price * $1.qty;
CREATE INDEX items_total ON items (item_total(items));
-- A column default calling a BEGIN ATOMIC function that reads a table.
CREATE TABLE zz_counters (name text PRIMARY KEY, value integer NOT NULL);
CREATE FUNCTION next_ticket() RETURNS integer LANGUAGE sql
    BEGIN ATOMIC SELECT coalesce(max(value), 0) + 1 FROM zz_counters; END;
CREATE TABLE b_tickets (id integer DEFAULT next_ticket(), note text);
-- A plpgsql function declaring t%ROWTYPE, which sorts before t's section.
CREATE TABLE orders (id integer, total numeric);
CREATE FUNCTION last_order() RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
    o orders%ROWTYPE;
BEGIN
    SELECT * INTO o FROM orders ORDER BY id DESC LIMIT 1;
    RETURN o.total;
END
$$;
-- A view of a function that returns a table's rows, and a check calling it.
CREATE FUNCTION big_orders() RETURNS SETOF orders LANGUAGE sql STABLE
    BEGIN ATOMIC SELECT * FROM orders WHERE total > 100; END;
CREATE VIEW a_big AS SELECT id FROM big_orders();
