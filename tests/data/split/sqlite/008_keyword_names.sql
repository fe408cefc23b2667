-- Keywords as names inside a trigger body: after a `.` any word is a name
-- (`new.by`), and where an operand is expected SQLite reads BY, END, LIKE,
-- MATCH... as column names. An END after such a name closes the CASE.

CREATE TABLE bookings (
    id      INTEGER PRIMARY KEY,
    "by"    TEXT,
    "end"   INTEGER,
    "match" INTEGER,
    status  TEXT
);

CREATE TRIGGER bookings_status AFTER INSERT ON bookings
BEGIN
    UPDATE bookings
       SET status = CASE WHEN 1 THEN new.by END
     WHERE id = new.id;
    UPDATE bookings
       SET status = CASE WHEN new.end > 0 THEN by ELSE match END || ';'
     WHERE id = new.id AND end IS NOT NULL;
END;

INSERT INTO bookings (id, "by", "end") VALUES (1, 'ann', 2);

SELECT CASE WHEN end THEN by END AS end FROM bookings;
