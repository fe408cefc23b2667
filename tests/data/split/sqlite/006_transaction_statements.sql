-- A file that manages its own transaction (runner in no-transaction mode).
BEGIN IMMEDIATE;
UPDATE tasks SET state = 'open' WHERE state NOT IN ('open', 'doing', 'done');
SAVEPOINT cleanup;
DELETE FROM audit_log WHERE at < date('now', '-1 year');
RELEASE cleanup;
COMMIT;
VACUUM;
