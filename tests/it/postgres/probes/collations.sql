-- Collations (libc and ICU, nondeterministic), used by a column, a domain and an index.
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE COLLATION german (provider = icu, locale = 'de-DE');
CREATE COLLATION posix_c (provider = libc, locale = 'C');
CREATE COLLATION split (provider = libc, lc_collate = 'C', lc_ctype = 'POSIX');
CREATE DOMAIN ci_text AS text COLLATE ci;
CREATE TABLE people (name text COLLATE ci, city text COLLATE german, code ci_text, tag text);
CREATE INDEX people_tag ON people (tag COLLATE posix_c);
COMMENT ON COLLATION ci IS 'Case-insensitive';
