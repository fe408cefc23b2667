-- migrate: no-transaction
VACUUM FULL users;
CLUSTER posts USING posts_pkey;
