-- Identifiers in every quoting style SQLite accepts.
CREATE TABLE "order lines" (
    "id"        INTEGER PRIMARY KEY,
    [order id]  INTEGER NOT NULL,
    `sku;code`  TEXT    NOT NULL,
    "say ""hi"""  TEXT,
    note        TEXT DEFAULT 'it''s; fine'
);

INSERT INTO "order lines" ([order id], `sku;code`, note)
VALUES (1, 'A-1', 'semicolon; inside'),
       (2, 'B-2', '/* not a comment */'),
       (3, 'C-3', '-- not a comment either'),
       (4, 'D-4', 'backslash \ is literal');

SELECT [order id], `sku;code` FROM "order lines" WHERE note LIKE '%;%'; -- trailing comment
SELECT $param, :named, @at, ?1 FROM "order lines";
