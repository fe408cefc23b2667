-- Stored programs as a driver sends them: no DELIMITER lines.

CREATE DEFINER=`admin`@`%` PROCEDURE `ship_paid_orders`(IN p_limit INT)
BEGIN
  DECLARE done INT DEFAULT FALSE;
  DECLARE v_id BIGINT;
  DECLARE cur CURSOR FOR SELECT `id` FROM `orders` WHERE `status` = 'paid' LIMIT p_limit;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = TRUE;

  OPEN cur;
  read_loop: LOOP
    FETCH cur INTO v_id;
    IF done THEN
      LEAVE read_loop;
    END IF;
    UPDATE `orders` SET `status` = 'shipped',
           `note` = IF(`note` IS NULL, 'shipped', CONCAT(`note`, '; shipped'))
     WHERE `id` = v_id;
  END LOOP read_loop;
  CLOSE cur;
END;

CREATE FUNCTION `order_size`(c INT) RETURNS VARCHAR(8) DETERMINISTIC
BEGIN
  DECLARE s VARCHAR(8);
  CASE
    WHEN c >= 10000 THEN SET s = 'large';
    WHEN c >= 1000 THEN SET s = CASE WHEN c >= 5000 THEN 'medium+' ELSE 'medium' END;
    ELSE SET s = 'small';
  END CASE;
  RETURN s;
END;

CREATE TRIGGER `orders_after_update` AFTER UPDATE ON `orders`
FOR EACH ROW
BEGIN
  DECLARE i INT DEFAULT 0;
  IF NEW.`status` <> OLD.`status` THEN
    INSERT INTO `order_events` (`order_id`, `event`) VALUES (NEW.`id`, NEW.`status`);
    WHILE i < 3 DO
      SET i = i + 1;
    END WHILE;
    REPEAT
      SET i = i - 1;
    UNTIL i <= 0 END REPEAT;
  END IF;
END;

CREATE EVENT IF NOT EXISTS `nightly_cleanup`
  ON SCHEDULE EVERY 1 DAY STARTS '2024-01-01 03:00:00'
  DO BEGIN
    DELETE FROM `order_events` WHERE `created_at` < NOW() - INTERVAL 90 DAY;
    OPTIMIZE TABLE `order_events`;
  END;

DROP PROCEDURE IF EXISTS `old_report`;
