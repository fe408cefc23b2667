-- SQLite accepts END as a bare identifier: a column named `end` in trigger
-- bodies does not end them.

CREATE TABLE ranges (
    id    INTEGER PRIMARY KEY,
    start INTEGER NOT NULL,
    end   INTEGER,
    note  TEXT
);

CREATE TRIGGER ranges_default_end AFTER INSERT ON ranges
WHEN new.end IS NULL
BEGIN
    UPDATE ranges SET end = new.start + 1 WHERE id = new.id;
    SELECT 1;
END;

CREATE TRIGGER ranges_note AFTER UPDATE OF end ON ranges
BEGIN
    UPDATE ranges
       SET note = CASE WHEN new.start < end THEN 'ok' ELSE end || '; reversed' END
     WHERE id = new.id;
    UPDATE ranges SET note = CASE end WHEN 0 THEN 'zero' END
     WHERE end = 0 AND end IN (0, end);
    DELETE FROM ranges WHERE
    end < 0;
    -- the body ends here; END follows a `;`
END;

INSERT INTO ranges (id, start) VALUES (1, 5);
SELECT id, start, end, note FROM ranges;
