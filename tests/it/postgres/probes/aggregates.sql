-- pagila's and sakila's group_concat, and aggregates with more options.
CREATE FUNCTION _group_concat(text, text) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN $2 IS NULL THEN $1 WHEN $1 IS NULL THEN $2 ELSE $1 || ', ' || $2 END $$;
CREATE AGGREGATE group_concat(text) (SFUNC = _group_concat, STYPE = text);
CREATE FUNCTION avg_final(numeric[]) RETURNS numeric LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN $1[2] = 0 THEN NULL ELSE $1[1] / $1[2] END $$;
CREATE FUNCTION avg_step(numeric[], numeric) RETURNS numeric[] LANGUAGE sql IMMUTABLE
    AS $$ SELECT ARRAY[$1[1] + $2, $1[2] + 1] $$;
CREATE FUNCTION avg_back(numeric[], numeric) RETURNS numeric[] LANGUAGE sql IMMUTABLE
    AS $$ SELECT ARRAY[$1[1] - $2, $1[2] - 1] $$;
CREATE AGGREGATE my_avg(numeric) (SFUNC = avg_step, STYPE = numeric[], FINALFUNC = avg_final,
    INITCOND = '{0,0}', MSFUNC = avg_step, MINVFUNC = avg_back, MSTYPE = numeric[],
    MFINALFUNC = avg_final, MINITCOND = '{0,0}', PARALLEL = SAFE);
CREATE AGGREGATE my_max(integer) (SFUNC = int4larger, STYPE = integer, SORTOP = >, COMBINEFUNC = int4larger);
CREATE AGGREGATE my_pct(float8 ORDER BY float8) (SFUNC = ordered_set_transition, STYPE = internal,
    FINALFUNC = percentile_disc_final, FINALFUNC_EXTRA);
COMMENT ON AGGREGATE group_concat(text) IS 'Joins with commas';
CREATE TABLE films (title text, rating integer);
CREATE VIEW titles AS SELECT group_concat(title) AS titles, my_max(rating) AS best FROM films;
