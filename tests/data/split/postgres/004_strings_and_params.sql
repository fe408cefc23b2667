-- String syntaxes that confuse naive splitters.
SET standard_conforming_strings = on;

INSERT INTO app.notes (body) VALUES
    ('C:\temp\'),                        -- backslash is literal here
    (E'it\'s; escaped'),                 -- and an escape here
    (e'tab\there\\'),
    (U&'d\0061t\+000061; unicode'),
    ($$dollar; quoted 'text'$$),
    ($a$ $b$ ; $b$ $a$),
    ('multi
line; string');

PREPARE find_task (bigint) AS
    SELECT id, summary FROM app.tasks WHERE id = $1 AND summary <> ';';

EXECUTE find_task(42);

DEALLOCATE find_task;

SELECT 'one' 'two'
FROM app.tasks
WHERE summary ~ '[;]' AND tags @> ARRAY['a;b']
