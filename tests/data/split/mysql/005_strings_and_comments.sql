# Strings, comments and operators that trip up naive splitters.
SET @sql = 'SELECT * FROM `orders` WHERE `note` = ''a; b''';
PREPARE stmt FROM @sql; EXECUTE stmt; DEALLOCATE PREPARE stmt;

SELECT "double \"quoted\"; string", 'single \'quoted\'; string', 'C:\\dir\\';
SELECT 10--1 AS `ten minus minus one`;   -- a real comment; with a semicolon
SELECT 1 --not a comment
;
SELECT /*+ SET_VAR(sort_buffer_size = 16M) */ `id` FROM `orders` /* inline; comment */ ORDER BY `id`;
UPDATE `customers` SET `name` = REPEAT('x', 3) WHERE `email` LIKE '%#%'; # hash in a string, then a comment
SELECT 'no terminator at the end' AS `last`
