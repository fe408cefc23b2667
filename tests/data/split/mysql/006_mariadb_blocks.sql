-- MariaDB extras: anonymous blocks, OR REPLACE, aggregate functions.

BEGIN NOT ATOMIC
  DECLARE v INT DEFAULT (SELECT COUNT(*) FROM `orders`);
  IF v = 0 THEN
    INSERT INTO `orders` (`customer_id`) VALUES (1);
  END IF;
END;

CREATE OR REPLACE DEFINER = CURRENT_USER AGGREGATE FUNCTION `sum_positive`(x INT) RETURNS INT
BEGIN
  DECLARE total INT DEFAULT 0;
  DECLARE CONTINUE HANDLER FOR NOT FOUND RETURN total;
  LOOP
    FETCH GROUP NEXT ROW;
    IF x > 0 THEN SET total = total + x; END IF;
  END LOOP;
END;

BEGIN;
UPDATE `orders` SET `status` = 'paid' WHERE `id` = 1;
COMMIT;

/*M!100100 SET STATEMENT max_statement_time = 5 FOR */ SELECT SLEEP(1);
