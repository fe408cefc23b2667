-- migrate: no-transaction
VACUUM ANALYZE users;
