-- Rules: an INSERT routed to a child table, a view made updatable, a disabled rule.
CREATE TABLE events (id integer, at date);
CREATE TABLE events_2024 (CHECK (at >= '2024-01-01' AND at < '2025-01-01')) INHERITS (events);
CREATE RULE events_2024_insert AS ON INSERT TO events
    WHERE (at >= '2024-01-01' AND at < '2025-01-01')
    DO INSTEAD INSERT INTO events_2024 VALUES (NEW.*);
CREATE TABLE audit (what text);
CREATE RULE events_log AS ON DELETE TO events DO ALSO INSERT INTO audit VALUES ('delete');
ALTER TABLE events DISABLE RULE events_log;
CREATE VIEW recent AS SELECT id, at FROM events;
CREATE RULE recent_insert AS ON INSERT TO recent DO INSTEAD INSERT INTO events VALUES (NEW.id, NEW.at);
COMMENT ON RULE events_log ON events IS 'Audit';
