-- A column named `delimiter`. The mysql client reads a DELIMITER line as its
-- command only when no statement is in progress; anywhere else it is text.

CREATE TABLE import_format (
  id INT PRIMARY KEY,
  name VARCHAR(40) NOT NULL,
  delimiter CHAR(1) NOT NULL DEFAULT ','
);

CREATE INDEX import_format_delimiter
  ON import_format (name,
delimiter);

INSERT INTO import_format (id, name, delimiter)
VALUES (1, 'csv', ','), (2, 'tsv', '\t'), (3, 'semicolon', ';');

DELIMITER $$
CREATE PROCEDURE import_formats_using(IN d CHAR(1))
BEGIN
  SELECT id, name,
  delimiter
    FROM import_format
   WHERE delimiter = d;
END$$
DELIMITER ;

-- If this were a command it would make `=` the delimiter.
UPDATE import_format
   SET name = 'semi'
 WHERE
delimiter = ';';

ALTER TABLE import_format
  CHANGE
  delimiter separator_char CHAR(1) NOT NULL DEFAULT ',';
