-- Text-search dictionaries and configurations, used by an index.
CREATE TEXT SEARCH DICTIONARY english_stem_nostop (TEMPLATE = snowball, language = 'english');
CREATE TEXT SEARCH DICTIONARY my_simple (TEMPLATE = pg_catalog.simple, stopwords = 'english', accept = false);
CREATE TEXT SEARCH CONFIGURATION my_english (COPY = english);
ALTER TEXT SEARCH CONFIGURATION my_english ALTER MAPPING FOR asciiword, word WITH my_simple, english_stem_nostop;
CREATE TEXT SEARCH CONFIGURATION bare (PARSER = default);
ALTER TEXT SEARCH CONFIGURATION bare ADD MAPPING FOR asciiword WITH simple;
CREATE TABLE docs (body text);
CREATE INDEX docs_search ON docs USING gin (to_tsvector('my_english'::regconfig, body));
COMMENT ON TEXT SEARCH CONFIGURATION my_english IS 'English, own stop words';
COMMENT ON TEXT SEARCH DICTIONARY my_simple IS 'Simple';
