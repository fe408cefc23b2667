# Initial schema for the shop.
-- Both comment styles are used by MySQL tooling.

CREATE TABLE `customers` (
  `id`         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  `email`      VARCHAR(255)    NOT NULL,
  `name`       VARCHAR(255)    NOT NULL DEFAULT '',
  `created_at` DATETIME        NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (`id`),
  UNIQUE KEY `customers_email` (`email`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='people who buy; or might';

CREATE TABLE `orders` (
  `id`          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  `customer_id` BIGINT UNSIGNED NOT NULL,
  `status`      ENUM('new','paid','shipped') NOT NULL DEFAULT 'new', # current state
  `total_cents` INT NOT NULL DEFAULT 0,
  `note`        TEXT,
  PRIMARY KEY (`id`),
  KEY `orders_customer` (`customer_id`),
  CONSTRAINT `orders_customer_fk` FOREIGN KEY (`customer_id`) REFERENCES `customers` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB;

ALTER TABLE `orders` ADD COLUMN `weird``name;` INT NULL, ALGORITHM=INSTANT;
