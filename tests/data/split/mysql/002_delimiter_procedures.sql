-- Stored programs the way the mysql client wants them: with DELIMITER.

DELIMITER $$

CREATE PROCEDURE `order_total`(IN p_order BIGINT, OUT p_total INT)
BEGIN
  SELECT COALESCE(SUM(`total_cents`), 0) INTO p_total
    FROM `orders` WHERE `id` = p_order;
END$$

CREATE FUNCTION `cents_to_text`(c INT) RETURNS VARCHAR(32) DETERMINISTIC
BEGIN
  RETURN CONCAT(c DIV 100, '.', LPAD(c MOD 100, 2, '0'), '; EUR');
END $$

DELIMITER ;

INSERT INTO `customers` (`email`, `name`) VALUES ('a@example.com', 'A');

delimiter //
CREATE TRIGGER `orders_before_insert` BEFORE INSERT ON `orders`
FOR EACH ROW
BEGIN
  IF NEW.`total_cents` < 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'negative total; refused';
  END IF;
END//
delimiter ;

DELIMITER ;;
CREATE EVENT `purge_new_orders` ON SCHEDULE EVERY 1 DAY DO
  DELETE FROM `orders` WHERE `status` = 'new' AND `id` < 100;;
DELIMITER ;

SELECT 'done' AS `step`;
