use super::*;
use std::fs;
use std::path::Path;

const ALL: [Syntax; 3] = [Syntax::Sqlite, Syntax::Postgres, Syntax::Mysql];

/// Checks what every successful split must satisfy: statements in order,
/// not overlapping, non-empty and trimmed, each text found verbatim at
/// its offset, and each line matching its offset.
fn check_invariants(sql: &str, statements: &[Statement]) {
    let mut last_end = 0;
    for s in statements {
        assert!(s.offset >= last_end, "overlap at {s:?}");
        assert!(!s.text.is_empty(), "empty statement at {s:?}");
        let blank = |c: char| c.is_ascii() && is_space(c as u8);
        assert!(!s.text.ends_with(blank) && !s.text.starts_with(blank));
        assert_eq!(
            sql.get(s.offset..s.offset + s.text.len()),
            Some(s.text.as_str())
        );
        assert_eq!(
            s.line,
            1 + sql[..s.offset].matches('\n').count(),
            "line of {s:?}"
        );
        last_end = s.offset + s.text.len();
    }
}

fn statements(sql: &str, syntax: Syntax) -> Vec<Statement> {
    let statements = split(sql, syntax).unwrap_or_else(|e| panic!("{syntax:?}: {e} in {sql:?}"));
    check_invariants(sql, &statements);
    statements
}

fn texts(sql: &str, syntax: Syntax) -> Vec<String> {
    statements(sql, syntax)
        .into_iter()
        .map(|s| s.text)
        .collect()
}

fn lines(sql: &str, syntax: Syntax) -> Vec<(usize, String)> {
    statements(sql, syntax)
        .into_iter()
        .map(|s| (s.line, s.text))
        .collect()
}

fn error(sql: &str, syntax: Syntax) -> SplitError {
    match split(sql, syntax) {
        Ok(statements) => panic!("{syntax:?}: expected an error, got {statements:?}"),
        Err(e) => e,
    }
}

fn words(text: &str, syntax: Syntax, max: usize) -> Vec<String> {
    leading_words(text, syntax, max)
}

// --- all dialects --------------------------------------------------------

#[test]
fn splits_simple_statements() {
    for syntax in ALL {
        assert_eq!(
            texts(
                "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\n",
                syntax
            ),
            ["CREATE TABLE a (id int)", "INSERT INTO a VALUES (1)"]
        );
    }
}

#[test]
fn last_statement_needs_no_semicolon() {
    for syntax in ALL {
        assert_eq!(
            texts("SELECT 1;\nSELECT 2\n", syntax),
            ["SELECT 1", "SELECT 2"]
        );
        assert_eq!(texts("SELECT 1", syntax), ["SELECT 1"]);
    }
}

#[test]
fn empty_statements_are_not_returned() {
    let inputs = [
        "",
        "   \n\n\t",
        ";",
        ";;\n ; ;",
        "-- only a comment",
        "-- only a comment\n",
        "/* block */\n-- line\n;\n/* and */;",
    ];
    for syntax in ALL {
        for sql in inputs {
            assert_eq!(
                texts(sql, syntax),
                Vec::<String>::new(),
                "{syntax:?} {sql:?}"
            );
        }
    }
    assert_eq!(
        texts("# hash comment\n;", Syntax::Mysql),
        Vec::<String>::new()
    );
    assert_eq!(
        texts("SELECT 1;;;\n;SELECT 2", Syntax::Sqlite),
        ["SELECT 1", "SELECT 2"]
    );
}

#[test]
fn semicolons_in_single_quoted_strings_do_not_split() {
    for syntax in ALL {
        assert_eq!(
            texts("SELECT 'a;b';SELECT 'it''s; ok'", syntax),
            ["SELECT 'a;b'", "SELECT 'it''s; ok'"]
        );
    }
}

#[test]
fn semicolons_in_double_quotes_do_not_split() {
    // An identifier in SQLite and PostgreSQL, a string in MySQL.
    for syntax in ALL {
        assert_eq!(
            texts(r#"SELECT "a;b" FROM t; SELECT "x"";y""#, syntax),
            [r#"SELECT "a;b" FROM t"#, r#"SELECT "x"";y""#]
        );
    }
}

#[test]
fn semicolons_in_comments_do_not_split() {
    for syntax in ALL {
        assert_eq!(
            texts("SELECT 1 -- not; the end\n, 2;\nSELECT /* ; */ 3;", syntax),
            ["SELECT 1 -- not; the end\n, 2", "SELECT /* ; */ 3"]
        );
    }
}

#[test]
fn comments_inside_a_statement_are_kept_verbatim() {
    for syntax in ALL {
        assert_eq!(
            texts("SELECT 1 /* keep */ -- and this\n;", syntax),
            ["SELECT 1 /* keep */ -- and this"]
        );
        assert_eq!(
            texts("SELECT 1; SELECT 2 -- no semicolon after me\n", syntax),
            ["SELECT 1", "SELECT 2 -- no semicolon after me"]
        );
    }
}

#[test]
fn line_numbers_skip_blank_lines_and_leading_comments() {
    let sql = "-- header comment\n\n/* block\n comment */\n\nSELECT 1;\n\n\n  SELECT\n  2;\n-- trailing\n";
    for syntax in ALL {
        let found = statements(sql, syntax);
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].line, found[0].text.as_str()), (6, "SELECT 1"));
        assert_eq!(found[0].offset, sql.find("SELECT 1").unwrap_or_default());
        assert_eq!((found[1].line, found[1].text.as_str()), (9, "SELECT\n  2"));
        assert_eq!(found[1].offset, sql.find("SELECT\n").unwrap_or_default());
    }
}

#[test]
fn several_statements_on_one_line() {
    for syntax in ALL {
        assert_eq!(
            lines(
                "SELECT 1; SELECT 2;\n/* x */ SELECT 3; -- y\nSELECT 4",
                syntax
            ),
            [
                (1, "SELECT 1".to_string()),
                (1, "SELECT 2".to_string()),
                (2, "SELECT 3".to_string()),
                (3, "SELECT 4".to_string())
            ]
        );
    }
}

#[test]
fn stray_carriage_returns_are_whitespace() {
    // Input is normalised to LF; a CR left over must not end up in a text.
    for syntax in ALL {
        assert_eq!(
            lines("SELECT 1;\r\nSELECT 2\r\n;\r\n", syntax),
            [(1, "SELECT 1".to_string()), (2, "SELECT 2".to_string())]
        );
    }
}

#[test]
fn all_ascii_blanks_are_whitespace() {
    for syntax in ALL {
        assert_eq!(
            texts("\x0b\x0cSELECT\t1\x0b\x0c;\x0b SELECT 2\x0c", syntax),
            ["SELECT\t1", "SELECT 2"]
        );
    }
}

#[test]
fn non_ascii_text_is_kept_intact() {
    for syntax in ALL {
        assert_eq!(
            texts("SELECT 'héllo; wörld' AS ünïcode; SELECT '日本';", syntax),
            ["SELECT 'héllo; wörld' AS ünïcode", "SELECT '日本'"]
        );
    }
}

#[test]
fn error_display() {
    let e = SplitError {
        line: 4,
        message: "unterminated dollar-quoted string $tag$".to_string(),
    };
    assert_eq!(
        e.to_string(),
        "unterminated dollar-quoted string $tag$ starting at line 4"
    );
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(boxed.source().is_none());
}

#[test]
fn unterminated_string_reports_its_first_line() {
    for syntax in ALL {
        let e = error("SELECT 1;\n\nSELECT 'abc;\nmore;\n", syntax);
        assert_eq!(e.line, 3);
        assert_eq!(e.message, "unterminated quoted string");
        assert_eq!(
            e.to_string(),
            "unterminated quoted string starting at line 3"
        );
    }
    let e = error("SELECT 1;\nSELECT \"abc;\n", Syntax::Mysql);
    assert_eq!(
        (e.line, e.message.as_str()),
        (2, "unterminated quoted string")
    );
}

#[test]
fn unterminated_quoted_identifier_reports_its_first_line() {
    let cases = [
        (Syntax::Sqlite, "SELECT 1;\nSELECT \"abc;\n"),
        (Syntax::Sqlite, "SELECT 1;\nSELECT `abc;\n"),
        (Syntax::Sqlite, "SELECT 1;\nSELECT [abc;\n"),
        (Syntax::Postgres, "SELECT 1;\nSELECT \"abc\"\"x;\n"),
        (Syntax::Postgres, "SELECT 1;\nSELECT U&\"abc;\n"),
        (Syntax::Mysql, "SELECT 1;\nSELECT `abc``;\n"),
    ];
    for (syntax, sql) in cases {
        let e = error(sql, syntax);
        assert_eq!(
            (e.line, e.message.as_str()),
            (2, "unterminated quoted identifier")
        );
    }
}

#[test]
fn unterminated_block_comment_reports_its_first_line() {
    for syntax in ALL {
        let e = error("SELECT 1;\n/* never\nclosed;\n", syntax);
        assert_eq!(
            (e.line, e.message.as_str()),
            (2, "unterminated block comment")
        );
        // `/*/` does not close itself.
        let e = error("SELECT 1 /*/ x", syntax);
        assert_eq!(e.line, 1);
    }
    let e = error("SELECT 1;\n\n/*!40101 SET x = 1;\n", Syntax::Mysql);
    assert_eq!(
        (e.line, e.message.as_str()),
        (3, "unterminated block comment")
    );
}

// --- SQLite ----------------------------------------------------------------

#[test]
fn sqlite_backtick_and_bracket_identifiers() {
    assert_eq!(
        texts(
            "SELECT `a;b`, [c;d], `e``;f` FROM t; SELECT 2",
            Syntax::Sqlite
        ),
        ["SELECT `a;b`, [c;d], `e``;f` FROM t", "SELECT 2"]
    );
}

#[test]
fn sqlite_backslash_is_literal_in_strings() {
    assert_eq!(
        texts(r"SELECT 'a\'; SELECT 2;", Syntax::Sqlite),
        [r"SELECT 'a\'", "SELECT 2"]
    );
}

#[test]
fn sqlite_block_comments_do_not_nest() {
    assert_eq!(
        texts("/* a /* b */ SELECT 1; */", Syntax::Sqlite),
        ["SELECT 1", "*/"]
    );
}

#[test]
fn sqlite_dash_comments_hash_and_dollar() {
    // `--x` is a comment in SQLite; `#` and `$` are not special.
    assert_eq!(
        texts(
            "SELECT 1 --x; not split\n; SELECT 2 # 3; SELECT $a; SELECT '$$';",
            Syntax::Sqlite
        ),
        [
            "SELECT 1 --x; not split",
            "SELECT 2 # 3",
            "SELECT $a",
            "SELECT '$$'"
        ]
    );
}

#[test]
fn sqlite_trigger_body_is_one_statement() {
    let sql = "CREATE TABLE t (a, b);
CREATE TRIGGER trg AFTER INSERT ON t
BEGIN
  UPDATE t SET b = 1 WHERE a = new.a;
  INSERT INTO log VALUES ('inserted; really');
END;
SELECT 1;
";
    assert_eq!(
        lines(sql, Syntax::Sqlite),
        [
            (1, "CREATE TABLE t (a, b)".to_string()),
            (
                2,
                "CREATE TRIGGER trg AFTER INSERT ON t\nBEGIN\n  UPDATE t SET b = 1 WHERE a = new.a;\n  INSERT INTO log VALUES ('inserted; really');\nEND"
                    .to_string()
            ),
            (7, "SELECT 1".to_string()),
        ]
    );
}

#[test]
fn sqlite_trigger_body_with_case_expressions() {
    // sqlite3_complete() would end the trigger at the CASE's END.
    let sql = "CREATE TRIGGER trg AFTER UPDATE ON t BEGIN
  UPDATE t SET a = CASE WHEN new.x THEN 1 END;
  SELECT CASE new.a WHEN 1 THEN 'one' ELSE CASE WHEN new.b THEN 'b' END END;
  DELETE FROM u WHERE id = old.id;
END;
SELECT 2;";
    let found = texts(sql, Syntax::Sqlite);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].ends_with("DELETE FROM u WHERE id = old.id;\nEND"));
    assert_eq!(found[1], "SELECT 2");
}

#[test]
fn sqlite_temp_trigger_lowercase() {
    for sql in [
        "create temp trigger if not exists x before delete on t begin delete from u where id = old.id; end;\nselect 1",
        "Create Temporary Trigger x Before Delete On t Begin delete from u where id = old.id; End;\nselect 1",
    ] {
        let found = texts(sql, Syntax::Sqlite);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[1], "select 1");
    }
}

#[test]
fn sqlite_trigger_when_clause_case_is_before_the_body() {
    let sql = "CREATE TRIGGER x AFTER UPDATE ON t WHEN CASE WHEN new.a > 0 THEN 1 ELSE 0 END BEGIN SELECT 1; SELECT 2; END; SELECT 3;";
    assert_eq!(
        texts(sql, Syntax::Sqlite),
        [
            "CREATE TRIGGER x AFTER UPDATE ON t WHEN CASE WHEN new.a > 0 THEN 1 ELSE 0 END BEGIN SELECT 1; SELECT 2; END",
            "SELECT 3"
        ]
    );
}

#[test]
fn sqlite_keywords_are_whole_words() {
    let sql = "CREATE TRIGGER begin_audit AFTER UPDATE ON t BEGIN
  UPDATE t SET end_date = beginning, \"end\" = new.end, backend = [end] WHERE id = new.id;
  SELECT `case`, ending FROM t;
END;
SELECT 1;";
    let found = texts(sql, Syntax::Sqlite);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[1], "SELECT 1");
}

#[test]
fn sqlite_column_named_end_in_a_trigger_body() {
    // SQLite takes a bare END as an identifier where one is expected.
    let sql = "CREATE TRIGGER t AFTER INSERT ON ranges BEGIN UPDATE ranges SET end = NEW.start + 1 WHERE id = NEW.id; SELECT 1; END;";
    assert_eq!(texts(sql, Syntax::Sqlite), [&sql[..sql.len() - 1]]);
    let sql = "CREATE TRIGGER t2 AFTER UPDATE ON ranges BEGIN
  UPDATE ranges SET note = CASE WHEN NEW.start > 0 THEN end ELSE end + 1 END WHERE id = NEW.id;
  SELECT end, CASE end WHEN 1 THEN 'one' END FROM ranges WHERE end = 1 AND end IN (1, end);
  INSERT INTO ranges (id, start, end) SELECT NEW.id + 100, end, end FROM ranges WHERE 0;
  DELETE FROM ranges WHERE
  end IS NULL;
END;
SELECT 2;";
    let found = lines(sql, Syntax::Sqlite);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].1.ends_with("end IS NULL;\nEND"));
    assert_eq!(found[1], (8, "SELECT 2".to_string()));
}

#[test]
fn sqlite_end_closes_the_body_only_where_a_statement_may_start() {
    // After BEGIN (an empty body, which SQLite then rejects), after `;`, and
    // with comments between.
    assert_eq!(
        texts(
            "CREATE TRIGGER a AFTER INSERT ON t BEGIN END; CREATE TRIGGER b AFTER INSERT ON t BEGIN SELECT 1; /* c; */ -- d;\n end; SELECT 3",
            Syntax::Sqlite
        ),
        [
            "CREATE TRIGGER a AFTER INSERT ON t BEGIN END",
            "CREATE TRIGGER b AFTER INSERT ON t BEGIN SELECT 1; /* c; */ -- d;\n end",
            "SELECT 3"
        ]
    );
    // A CASE closes at END after an operand: a word, number, string, `)`.
    for operand in [
        "x",
        "1",
        "'s'",
        "(x)",
        "x IS NULL",
        "CASE WHEN y THEN 1 END",
    ] {
        let sql = format!(
            "CREATE TRIGGER c AFTER INSERT ON t BEGIN SELECT CASE WHEN 1 THEN {operand} END; SELECT 2; END; SELECT 3"
        );
        let found = texts(&sql, Syntax::Sqlite);
        assert_eq!(found.len(), 2, "{operand}: {found:#?}");
        assert_eq!(found[1], "SELECT 3");
    }
    // An END left open at the end of the input falls back to semicolons.
    assert_eq!(
        texts(
            "CREATE TRIGGER d AFTER INSERT ON t BEGIN UPDATE t SET end = 1;\nSELECT 2;",
            Syntax::Sqlite
        ),
        [
            "CREATE TRIGGER d AFTER INSERT ON t BEGIN UPDATE t SET end = 1",
            "SELECT 2"
        ]
    );
}

#[test]
fn sqlite_transaction_statements_are_not_bodies() {
    assert_eq!(
        texts(
            "BEGIN;\nCREATE TABLE a (x);\nCOMMIT;\nBEGIN TRANSACTION;\nEND TRANSACTION;\nBEGIN IMMEDIATE;\nEND",
            Syntax::Sqlite
        ),
        [
            "BEGIN",
            "CREATE TABLE a (x)",
            "COMMIT",
            "BEGIN TRANSACTION",
            "END TRANSACTION",
            "BEGIN IMMEDIATE",
            "END"
        ]
    );
}

#[test]
fn sqlite_unclosed_trigger_body_falls_back_to_semicolons() {
    assert_eq!(
        texts(
            "CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1;\nSELECT 2;\n",
            Syntax::Sqlite
        ),
        [
            "CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1",
            "SELECT 2"
        ]
    );
}

// --- PostgreSQL --------------------------------------------------------------

#[test]
fn postgres_escape_strings() {
    assert_eq!(
        texts(
            r"SELECT E'it\'s; fine', e'\\'; SELECT E'\''; SELECT 3;",
            Syntax::Postgres
        ),
        [r"SELECT E'it\'s; fine', e'\\'", r"SELECT E'\''", "SELECT 3"]
    );
}

#[test]
fn postgres_standard_strings_keep_backslashes() {
    assert_eq!(
        texts(
            r"SELECT 'C:\'; SELECT E 'a\'; SELECT se'b\'; SELECT 4",
            Syntax::Postgres
        ),
        [
            r"SELECT 'C:\'",
            r"SELECT E 'a\'",
            r"SELECT se'b\'",
            "SELECT 4"
        ]
    );
}

#[test]
fn postgres_unicode_strings() {
    assert_eq!(
        texts(
            r#"SELECT U&'d\0061t\+000061; x', u&'\'; SELECT U&"a;b"; SELECT 3"#,
            Syntax::Postgres
        ),
        [
            r"SELECT U&'d\0061t\+000061; x', u&'\'",
            r#"SELECT U&"a;b""#,
            "SELECT 3"
        ]
    );
}

#[test]
fn postgres_dollar_quotes() {
    let sql = "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;
CREATE FUNCTION g() RETURNS text AS $body$ SELECT 'x; $$ y'; $body$ LANGUAGE sql;
SELECT $a$ $b$ ; $b$ $a$;
SELECT $_x$;$_x$, $Été$;$Été$;
SELECT 5";
    assert_eq!(
        texts(sql, Syntax::Postgres),
        [
            "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
            "CREATE FUNCTION g() RETURNS text AS $body$ SELECT 'x; $$ y'; $body$ LANGUAGE sql",
            "SELECT $a$ $b$ ; $b$ $a$",
            "SELECT $_x$;$_x$, $Été$;$Été$",
            "SELECT 5"
        ]
    );
}

#[test]
fn postgres_parameters_and_dollars_in_identifiers_are_not_quotes() {
    assert_eq!(
        texts(
            "PREPARE q AS SELECT $1, $2; EXECUTE q(1, 2); SELECT a$b$c FROM t; SELECT $1$; SELECT 5",
            Syntax::Postgres
        ),
        [
            "PREPARE q AS SELECT $1, $2",
            "EXECUTE q(1, 2)",
            "SELECT a$b$c FROM t",
            "SELECT $1$",
            "SELECT 5"
        ]
    );
}

#[test]
fn postgres_block_comments_nest() {
    assert_eq!(
        texts(
            "/* outer /* inner; */ still comment; */ SELECT 1; SELECT /* b /* c */ d; */ 2;",
            Syntax::Postgres
        ),
        ["SELECT 1", "SELECT /* b /* c */ d; */ 2"]
    );
    let e = error("SELECT 1;\n/* /* */\nSELECT 2;", Syntax::Postgres);
    assert_eq!(
        (e.line, e.message.as_str()),
        (2, "unterminated block comment")
    );
}

#[test]
fn postgres_unterminated_dollar_quote() {
    let e = error(
        "SELECT 1;\n\nCREATE FUNCTION f() RETURNS int AS $body$\nSELECT 1;\n$$;\n",
        Syntax::Postgres,
    );
    assert_eq!(e.line, 3);
    assert_eq!(e.message, "unterminated dollar-quoted string $body$");
    assert_eq!(
        e.to_string(),
        "unterminated dollar-quoted string $body$ starting at line 3"
    );
    let e = error("SELECT $$ x", Syntax::Postgres);
    assert_eq!(
        e.to_string(),
        "unterminated dollar-quoted string $$ starting at line 1"
    );
}

#[test]
fn postgres_unterminated_escape_string() {
    let e = error("SELECT 1;\nSELECT E'abc\\';\n", Syntax::Postgres);
    assert_eq!(
        (e.line, e.message.as_str()),
        (2, "unterminated quoted string")
    );
}

#[test]
fn postgres_begin_atomic_body_is_one_statement() {
    let sql = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\nSELECT 3;";
    assert_eq!(
        lines(sql, Syntax::Postgres),
        [
            (
                1,
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END"
                    .to_string()
            ),
            (2, "SELECT 3".to_string())
        ]
    );
}

#[test]
fn postgres_begin_atomic_with_case() {
    let sql = "create or replace procedure p(x int) language sql
begin atomic
  insert into t values (case when x > 0 then 'pos' else 'neg' end);
  update t set a = case x when 1 then 2 end;
end;
select 1";
    let found = texts(sql, Syntax::Postgres);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].ends_with("end;\nend"));
    assert_eq!(found[1], "select 1");
}

#[test]
fn postgres_transaction_begin_is_not_a_body() {
    assert_eq!(
        texts(
            "BEGIN;\nCREATE TABLE a (x int);\nCOMMIT;\nBEGIN ISOLATION LEVEL SERIALIZABLE;\nEND;",
            Syntax::Postgres
        ),
        [
            "BEGIN",
            "CREATE TABLE a (x int)",
            "COMMIT",
            "BEGIN ISOLATION LEVEL SERIALIZABLE",
            "END"
        ]
    );
}

#[test]
fn postgres_plpgsql_body_in_dollar_quotes() {
    let sql = "CREATE FUNCTION touch() RETURNS trigger AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER t BEFORE UPDATE ON x FOR EACH ROW EXECUTE FUNCTION touch();";
    let found = lines(sql, Syntax::Postgres);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[1].0, 7);
}

#[test]
fn postgres_semicolons_inside_parentheses_do_not_split() {
    assert_eq!(
        texts(
            "CREATE RULE r AS ON INSERT TO v DO INSTEAD (INSERT INTO a VALUES (new.x); INSERT INTO b VALUES (new.y));\nSELECT 1;",
            Syntax::Postgres
        ),
        [
            "CREATE RULE r AS ON INSERT TO v DO INSTEAD (INSERT INTO a VALUES (new.x); INSERT INTO b VALUES (new.y))",
            "SELECT 1"
        ]
    );
}

#[test]
fn postgres_unclosed_parenthesis_or_body_falls_back_to_semicolons() {
    assert_eq!(
        texts("SELECT (1;\nSELECT 2;", Syntax::Postgres),
        ["SELECT (1", "SELECT 2"]
    );
    assert_eq!(
        texts(
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1;\nSELECT 2;",
            Syntax::Postgres
        ),
        [
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1",
            "SELECT 2"
        ]
    );
}

#[test]
fn postgres_backticks_and_hash_are_not_special() {
    assert_eq!(
        texts(
            "SELECT 1 ` ; SELECT 2 # 3; SELECT 4 --x; still comment\n;",
            Syntax::Postgres
        ),
        ["SELECT 1 `", "SELECT 2 # 3", "SELECT 4 --x; still comment"]
    );
}

// --- MySQL ---------------------------------------------------------------------

#[test]
fn mysql_backslash_escapes_in_both_quotes() {
    assert_eq!(
        texts(
            r#"SELECT 'it\'s; fine', "say \"hi\"; ok", 'a\\'; SELECT 2;"#,
            Syntax::Mysql
        ),
        [
            r#"SELECT 'it\'s; fine', "say \"hi\"; ok", 'a\\'"#,
            "SELECT 2"
        ]
    );
}

#[test]
fn mysql_backtick_identifiers() {
    assert_eq!(
        texts("SELECT `a;b`, `c``;d` FROM t; SELECT 2", Syntax::Mysql),
        ["SELECT `a;b`, `c``;d` FROM t", "SELECT 2"]
    );
}

#[test]
fn mysql_hash_comments() {
    assert_eq!(
        lines(
            "# header; comment\nSELECT 1; # trailing; comment\nSELECT 2 # x;\n;",
            Syntax::Mysql
        ),
        [
            (2, "SELECT 1".to_string()),
            (3, "SELECT 2 # x;".to_string())
        ]
    );
}

#[test]
fn mysql_double_dash_needs_whitespace() {
    let sql = "SELECT 1--1;\nSELECT 2 --x;\nSELECT 3 -- real; comment\n;\nSELECT 4 --\n;\nSELECT 5 --\t;\n;\nSELECT 6 --";
    assert_eq!(
        texts(sql, Syntax::Mysql),
        [
            "SELECT 1--1",
            "SELECT 2 --x",
            "SELECT 3 -- real; comment",
            "SELECT 4 --",
            "SELECT 5 --\t;",
            "SELECT 6 --"
        ]
    );
}

#[test]
fn mysql_executable_comments_are_opaque_statements() {
    let sql = "/*!40101 SET @saved = @@character_set_client */;
/*!50003 SET x = 1; SET y = 2 */;
SELECT /*+ MAX_EXECUTION_TIME(1000) */ 1;
/*M!100100 SET z = 3 */;
/* plain; comment */;";
    assert_eq!(
        texts(sql, Syntax::Mysql),
        [
            "/*!40101 SET @saved = @@character_set_client */",
            "/*!50003 SET x = 1; SET y = 2 */",
            "SELECT /*+ MAX_EXECUTION_TIME(1000) */ 1",
            "/*M!100100 SET z = 3 */"
        ]
    );
}

#[test]
fn mysql_prepared_statement_text_in_a_string() {
    assert_eq!(
        texts(
            "SET @s = 'a; b'; PREPARE st FROM @s;\nEXECUTE st;\nDEALLOCATE PREPARE st;",
            Syntax::Mysql
        ),
        [
            "SET @s = 'a; b'",
            "PREPARE st FROM @s",
            "EXECUTE st",
            "DEALLOCATE PREPARE st"
        ]
    );
}

#[test]
fn mysql_delimiter_switching_back_and_forth() {
    let sql = "DELIMITER $$
CREATE PROCEDURE p()
BEGIN
  SELECT 1;
END$$
DELIMITER ;
SELECT 2;
delimiter //
CREATE FUNCTION f() RETURNS INT RETURN 1//
SELECT 3; SELECT 4//
DELIMITER ;;
SELECT 5;;
  Delimiter ;
SELECT 6;
";
    assert_eq!(
        lines(sql, Syntax::Mysql),
        [
            (
                2,
                "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND".to_string()
            ),
            (7, "SELECT 2".to_string()),
            (9, "CREATE FUNCTION f() RETURNS INT RETURN 1".to_string()),
            // The client sends `SELECT 3; SELECT 4` as one query, and the
            // server runs two statements: each is checked and run alone.
            (10, "SELECT 3".to_string()),
            (10, "SELECT 4".to_string()),
            (12, "SELECT 5".to_string()),
            (14, "SELECT 6".to_string()),
        ]
    );
}

#[test]
fn mysql_delimiter_line_in_a_pending_statement_is_text() {
    // The mysql client reads DELIMITER only when its statement buffer is
    // empty: here it sends all of this as one statement at the end of input.
    assert_eq!(
        texts(
            "SELECT 1\nDELIMITER //\nSELECT 2//\nSELECT 3",
            Syntax::Mysql
        ),
        ["SELECT 1\nDELIMITER //\nSELECT 2//\nSELECT 3"]
    );
    // A comment does not end the statement either.
    assert_eq!(
        texts("SELECT 1 -- c\nDELIMITER //\nSELECT 2;", Syntax::Mysql),
        ["SELECT 1 -- c\nDELIMITER //\nSELECT 2"]
    );
    // With a custom delimiter a `;` does not empty the client's buffer, so
    // the DELIMITER line is text sent to the server, which reads the `;` in
    // it as the end of a statement, as it reads the one after `SELECT 1`.
    assert_eq!(
        texts(
            "DELIMITER //\nSELECT 1;\nDELIMITER ;\nSELECT 2//\nSELECT 3//",
            Syntax::Mysql
        ),
        ["SELECT 1", "DELIMITER", "SELECT 2", "SELECT 3"]
    );
}

#[test]
fn mysql_column_named_delimiter() {
    let sql = "CREATE TABLE import_format (
  id INT PRIMARY KEY,
  delimiter CHAR(1) NOT NULL
);
CREATE TABLE other (id INT);
";
    assert_eq!(
        lines(sql, Syntax::Mysql),
        [
            (
                1,
                "CREATE TABLE import_format (\n  id INT PRIMARY KEY,\n  delimiter CHAR(1) NOT NULL\n)"
                    .to_string()
            ),
            (5, "CREATE TABLE other (id INT)".to_string()),
        ]
    );
    // `delimiter = ';'` would set the delimiter to `=` if it were a command.
    assert_eq!(
        texts(
            "UPDATE import_format SET id = 2 WHERE\ndelimiter = ';';\nSELECT 1;",
            Syntax::Mysql
        ),
        [
            "UPDATE import_format SET id = 2 WHERE\ndelimiter = ';'",
            "SELECT 1"
        ]
    );
    // In a procedure under a custom delimiter, the `;` inside do not end the
    // client's statement, so the column is text there too.
    assert_eq!(
        texts(
            "DELIMITER $$\nCREATE PROCEDURE p() BEGIN\n  SELECT id;\n  SELECT\ndelimiter FROM t;\nEND$$\nDELIMITER ;\nCALL p();",
            Syntax::Mysql
        ),
        [
            "CREATE PROCEDURE p() BEGIN\n  SELECT id;\n  SELECT\ndelimiter FROM t;\nEND",
            "CALL p()"
        ]
    );
}

#[test]
fn mysql_delimiter_line_after_a_delimiter_or_comments_is_a_command() {
    // The client's buffer is empty after a delimiter, whatever follows it on
    // its line, and comments alone do not fill it.
    for sql in [
        "SELECT 1;   \n  delimiter //\nSELECT 2//",
        "SELECT 1; -- c\nDELIMITER //\nSELECT 2//",
        "SELECT 1; /* c */\n/* d\n */\n# e\nDELIMITER //\nSELECT 2//",
        "SELECT 1;\n\n\nDELIMITER //\nSELECT 2//",
    ] {
        assert_eq!(
            texts(sql, Syntax::Mysql),
            ["SELECT 1", "SELECT 2"],
            "{sql:?}"
        );
    }
    // Also after a `;` in an open body: the client has sent what came before.
    assert_eq!(
        texts(
            "CREATE PROCEDURE p() BEGIN\n  SELECT 1;\nDELIMITER //\nSELECT 2//",
            Syntax::Mysql
        ),
        ["CREATE PROCEDURE p() BEGIN\n  SELECT 1;", "SELECT 2"]
    );
}

#[test]
fn mysql_delimiter_must_be_the_first_word_of_a_line() {
    assert_eq!(
        texts("SELECT 1; DELIMITER //\nSELECT 2;", Syntax::Mysql),
        ["SELECT 1", "DELIMITER //\nSELECT 2"]
    );
    // Inside a string it is just text.
    assert_eq!(
        texts("SELECT 'a\nDELIMITER //\n'; SELECT 2;", Syntax::Mysql),
        ["SELECT 'a\nDELIMITER //\n'", "SELECT 2"]
    );
    // Without an argument it is not a command.
    assert_eq!(
        texts("DELIMITER\nSELECT 1;", Syntax::Mysql),
        ["DELIMITER\nSELECT 1"]
    );
    // Nor is a longer word.
    assert_eq!(texts("DELIMITERS //;", Syntax::Mysql), ["DELIMITERS //"]);
    // Other dialects have no DELIMITER command.
    assert_eq!(
        texts("DELIMITER //\nSELECT 1//", Syntax::Postgres),
        ["DELIMITER //\nSELECT 1//"]
    );
}

#[test]
fn mysql_delimiter_argument_forms() {
    assert_eq!(
        texts(
            "DELIMITER '$$'\nSELECT 1$$\nDELIMITER \"//\" trailing words\nSELECT 2//\nDELIMITER ;\nSELECT 3;",
            Syntax::Mysql
        ),
        ["SELECT 1", "SELECT 2", "SELECT 3"]
    );
    // A non-ASCII delimiter ends words like any other.
    assert_eq!(
        texts("DELIMITER §\nSELECT 'a§'§SELECT ü§ SELECT 3", Syntax::Mysql),
        ["SELECT 'a§'", "SELECT ü", "SELECT 3"]
    );
    // A backslash is refused by the mysql client: the delimiter stays.
    assert_eq!(
        texts("DELIMITER \\\\\nSELECT 1;", Syntax::Mysql),
        ["SELECT 1"]
    );
}

#[test]
fn mysql_custom_delimiter_ends_words_and_ignores_semicolons() {
    assert_eq!(
        texts(
            "DELIMITER $$\nSELECT 'x$$' $$ CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET @a = 1; END$$",
            Syntax::Mysql
        ),
        [
            "SELECT 'x$$'",
            "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET @a = 1; END"
        ]
    );
}

#[test]
fn mysql_procedure_without_delimiter_with_if_and_nested_begin() {
    let sql = "CREATE PROCEDURE p(IN x INT)
BEGIN
  DECLARE y INT DEFAULT 0;
  IF x > 0 THEN
    SET y = 1;
  ELSEIF x < 0 THEN
    SET y = -1;
  ELSE
    BEGIN
      SET y = 0;
    END;
  END IF;
  SELECT y;
END;
SELECT 1;";
    let found = lines(sql, Syntax::Mysql);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].1.ends_with("SELECT y;\nEND"));
    assert_eq!(found[1], (15, "SELECT 1".to_string()));
}

#[test]
fn mysql_loops_labels_and_look_alike_functions() {
    let sql = "CREATE PROCEDURE loops()
BEGIN
  DECLARE i INT DEFAULT 0;
  outer_loop: LOOP
    SET i = i + 1;
    IF i > 10 THEN LEAVE outer_loop; END IF;
  END LOOP outer_loop;
  WHILE i > 0 DO
    SET i = i - 1;
  END WHILE;
  REPEAT
    SET i = i + 1;
  UNTIL i >= 5 END REPEAT;
  lbl: BEGIN
    SELECT REPEAT('ab', 2), IF(i > 1, 'a', 'b');
    SET @x := IF(i, 1, 2);
    SELECT CASE WHEN i THEN IF(i, 1, 2) ELSE 0 END;
  END lbl;
END;
DROP PROCEDURE IF EXISTS loops;";
    let found = texts(sql, Syntax::Mysql);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[1], "DROP PROCEDURE IF EXISTS loops");
}

#[test]
fn mysql_case_statement_and_case_expression() {
    let sql = "CREATE FUNCTION grade(score INT) RETURNS CHAR(1) DETERMINISTIC
BEGIN
  DECLARE g CHAR(1);
  CASE
    WHEN score >= 90 THEN SET g = 'A';
    WHEN score >= 80 THEN SET g = CASE WHEN score > 85 THEN 'B' ELSE 'b' END;
    ELSE SET g = 'C';
  END CASE;
  RETURN g;
END;
SELECT grade(95);";
    let found = texts(sql, Syntax::Mysql);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[1], "SELECT grade(95)");
}

#[test]
fn mysql_trigger_bodies_without_begin() {
    let sql = "CREATE TRIGGER IF NOT EXISTS a BEFORE INSERT ON t FOR EACH ROW SET NEW.a = IF(NEW.a > 0, NEW.a, 0);
CREATE TRIGGER b BEFORE UPDATE ON t FOR EACH ROW IF NEW.a < 0 THEN SET NEW.a = 0; END IF;
SELECT 1;";
    assert_eq!(
        texts(sql, Syntax::Mysql),
        [
            "CREATE TRIGGER IF NOT EXISTS a BEFORE INSERT ON t FOR EACH ROW SET NEW.a = IF(NEW.a > 0, NEW.a, 0)",
            "CREATE TRIGGER b BEFORE UPDATE ON t FOR EACH ROW IF NEW.a < 0 THEN SET NEW.a = 0; END IF",
            "SELECT 1"
        ]
    );
}

#[test]
fn mysql_stored_program_headers() {
    let programs = [
        "CREATE DEFINER=`root`@`localhost` PROCEDURE p() BEGIN SELECT 1; END",
        "CREATE DEFINER = 'app'@'%' FUNCTION f() RETURNS INT BEGIN RETURN 1; END",
        "CREATE DEFINER=CURRENT_USER() TRIGGER t AFTER INSERT ON x FOR EACH ROW BEGIN INSERT INTO y VALUES (1); END",
        "CREATE OR REPLACE DEFINER=app@localhost EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; DELETE FROM u; END",
        "create or replace aggregate function agg(x INT) returns INT begin declare continue handler for not found return 0; loop fetch group next row; end loop; end",
        "CREATE PROCEDURE IF NOT EXISTS p() BEGIN SELECT 1; END",
        "CREATE /* c */ PROCEDURE p() -- c\nBEGIN SELECT 1; END",
        "CREATE PROCEDURE p() BEGIN DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END; START TRANSACTION; INSERT INTO t VALUES (1); COMMIT; END",
        "CREATE PROCEDURE p() BEGIN SET @a := 1; END",
    ];
    for program in programs {
        let sql = format!("{program};\nSELECT 2;");
        assert_eq!(
            texts(&sql, Syntax::Mysql),
            [program, "SELECT 2"],
            "{program}"
        );
    }
}

#[test]
fn mysql_bodies_after_trigger_order_and_routine_characteristics() {
    // Each was checked on MariaDB 10.11 as one statement.
    let programs = [
        "CREATE TRIGGER tr2 BEFORE INSERT ON t FOR EACH ROW FOLLOWS tr1\nIF NEW.x < 0 THEN SET NEW.x = 0; END IF",
        "CREATE TRIGGER tr3 BEFORE INSERT ON t FOR EACH ROW PRECEDES `tr1` CASE WHEN NEW.x > 100 THEN SET NEW.x = 100; ELSE BEGIN END; END CASE",
        "CREATE PROCEDURE p() SQL SECURITY INVOKER WHILE @i < 3 DO SET @i = @i + 1; END WHILE",
        "CREATE PROCEDURE q() COMMENT 'x' IF @a THEN SELECT 1; END IF",
        "CREATE PROCEDURE r(IN a INT, OUT b DECIMAL(10,2)) LANGUAGE SQL NOT DETERMINISTIC CONTAINS SQL lbl: LOOP LEAVE lbl; END LOOP",
        "CREATE PROCEDURE s() NO SQL REPEAT SET @i = @i + 1; UNTIL @i > 5 END REPEAT",
        "CREATE PROCEDURE s2() READS SQL DATA DETERMINISTIC CASE @a WHEN 1 THEN SELECT 1; ELSE SELECT 2; END CASE",
        "CREATE PROCEDURE s3() MODIFIES SQL DATA SQL SECURITY DEFINER COMMENT 'a;b' IF @a THEN SELECT 1; END IF",
        "CREATE PROCEDURE IF NOT EXISTS `db`.s4 /* c */ () -- c\n DETERMINISTIC IF @a THEN SELECT 1; END IF",
        "CREATE FUNCTION f(a INT) RETURNS DECIMAL(10,2) UNSIGNED DETERMINISTIC IF a > 0 THEN RETURN 1; ELSE RETURN 2; END IF",
        "CREATE FUNCTION g(a INT) RETURNS VARCHAR(10) CHARSET utf8mb4 COLLATE utf8mb4_bin CASE WHEN a > 0 THEN RETURN 'a'; ELSE RETURN 'b'; END CASE",
        "CREATE FUNCTION h2(a INT) RETURNS DOUBLE PRECISION IF a THEN RETURN 1; END IF",
        "CREATE FUNCTION h3(a INT) RETURNS TEXT CHARACTER SET latin1 IF a THEN RETURN 'x'; END IF",
        "CREATE DEFINER = 'app'@'%' FUNCTION h4() RETURNS INT IF @a THEN RETURN 1; END IF",
        "CREATE EVENT e ON SCHEDULE EVERY 1 DAY COMMENT 'x' DO IF @a THEN SELECT 1; END IF",
    ];
    for program in programs {
        let sql = format!("{program};\nSELECT 2;");
        assert_eq!(
            texts(&sql, Syntax::Mysql),
            [program, "SELECT 2"],
            "{program}"
        );
    }
}

#[test]
fn mysql_body_start_is_not_inside_the_first_statement() {
    // The body starts at RETURN or SELECT here: IF and CASE after them are
    // the function and the expression, which END IF / END CASE do not close.
    assert_eq!(
        texts(
            "CREATE FUNCTION h(a INT) RETURNS INT DETERMINISTIC RETURN IF(a > 0, 1, 2);
CREATE FUNCTION k(a INT) RETURNS INT RETURN CASE WHEN a THEN 1 END;
CREATE PROCEDURE p() COMMENT 'c' SELECT IF(1, 2, 3), CASE WHEN 1 THEN 2 END;
CREATE PROCEDURE q() BEGIN IF 1 THEN SELECT 1; END IF; END;
SELECT 5;",
            Syntax::Mysql
        ),
        [
            "CREATE FUNCTION h(a INT) RETURNS INT DETERMINISTIC RETURN IF(a > 0, 1, 2)",
            "CREATE FUNCTION k(a INT) RETURNS INT RETURN CASE WHEN a THEN 1 END",
            "CREATE PROCEDURE p() COMMENT 'c' SELECT IF(1, 2, 3), CASE WHEN 1 THEN 2 END",
            "CREATE PROCEDURE q() BEGIN IF 1 THEN SELECT 1; END IF; END",
            "SELECT 5"
        ]
    );
    // A loadable function has no body.
    assert_eq!(
        texts(
            "CREATE AGGREGATE FUNCTION agg RETURNS STRING SONAME 'agg.so'; SELECT 1;",
            Syntax::Mysql
        ),
        [
            "CREATE AGGREGATE FUNCTION agg RETURNS STRING SONAME 'agg.so'",
            "SELECT 1"
        ]
    );
}

#[test]
fn mysql_event_with_single_statement_body() {
    assert_eq!(
        texts(
            "CREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO DELETE FROM t WHERE a < NOW();\nSELECT 1;",
            Syntax::Mysql
        ),
        [
            "CREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO DELETE FROM t WHERE a < NOW()",
            "SELECT 1"
        ]
    );
}

#[test]
fn mysql_begin_not_atomic_block() {
    let sql = "BEGIN NOT ATOMIC\n  DECLARE x INT;\n  IF x IS NULL THEN SET x = 1; END IF;\nEND;\nSELECT 1;";
    assert_eq!(
        texts(sql, Syntax::Mysql),
        [
            "BEGIN NOT ATOMIC\n  DECLARE x INT;\n  IF x IS NULL THEN SET x = 1; END IF;\nEND",
            "SELECT 1"
        ]
    );
}

#[test]
fn mysql_begin_transaction_is_a_plain_statement() {
    assert_eq!(
        texts(
            "BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;\nBEGIN WORK;\nROLLBACK;\nSTART TRANSACTION;",
            Syntax::Mysql
        ),
        [
            "BEGIN",
            "INSERT INTO t VALUES (1)",
            "COMMIT",
            "BEGIN WORK",
            "ROLLBACK",
            "START TRANSACTION"
        ]
    );
}

#[test]
fn mysql_blocks_are_only_tracked_in_stored_programs() {
    assert_eq!(
        texts(
            "UPDATE t SET a = CASE WHEN b THEN 1 END; SELECT IF(a, 1, 2); SELECT 3;",
            Syntax::Mysql
        ),
        [
            "UPDATE t SET a = CASE WHEN b THEN 1 END",
            "SELECT IF(a, 1, 2)",
            "SELECT 3"
        ]
    );
    assert_eq!(
        texts(
            "CREATE TABLE `begin` (`end` INT); CREATE VIEW v AS SELECT 1; SELECT 3;",
            Syntax::Mysql
        ),
        [
            "CREATE TABLE `begin` (`end` INT)",
            "CREATE VIEW v AS SELECT 1",
            "SELECT 3"
        ]
    );
}

#[test]
fn mysql_unclosed_body_falls_back_to_semicolons() {
    assert_eq!(
        texts(
            "CREATE PROCEDURE p() BEGIN SELECT 1;\nSELECT 2;",
            Syntax::Mysql
        ),
        ["CREATE PROCEDURE p() BEGIN SELECT 1", "SELECT 2"]
    );
}

// --- leading_words -------------------------------------------------------------

#[test]
fn leading_words_example_from_the_docs() {
    for syntax in ALL {
        assert_eq!(
            words(
                "create /*x*/ unique index concurrently i on t(x)",
                syntax,
                5
            ),
            ["CREATE", "UNIQUE", "INDEX", "CONCURRENTLY", "I"]
        );
    }
}

#[test]
fn leading_words_stop_at_the_first_non_word() {
    for syntax in ALL {
        assert_eq!(
            words("create index i on t(x)", syntax, 10),
            ["CREATE", "INDEX", "I", "ON", "T"]
        );
        assert_eq!(
            words("-- c\n/* d */ alter\ttable\nt_1 add", syntax, 3),
            ["ALTER", "TABLE", "T_1"]
        );
        assert_eq!(
            words("CREATE TABLE \"T\" (x)", syntax, 5),
            ["CREATE", "TABLE"]
        );
        assert_eq!(words("SELECT 1", syntax, 5), ["SELECT"]);
        assert_eq!(words("COMMIT; SELECT", syntax, 5), ["COMMIT"]);
        assert_eq!(words("SELECT 'abc", syntax, 5), ["SELECT"]);
        assert_eq!(words("x = 1", syntax, 5), ["X"]);
        assert_eq!(words("create table t", syntax, 0), Vec::<String>::new());
        assert_eq!(words("", syntax, 3), Vec::<String>::new());
        assert_eq!(words("/* unterminated", syntax, 3), Vec::<String>::new());
    }
}

#[test]
fn leading_words_follow_the_dialect() {
    assert_eq!(
        words("# c\nDROP TABLE t", Syntax::Mysql, 5),
        ["DROP", "TABLE", "T"]
    );
    assert_eq!(
        words("# c\nDROP TABLE t", Syntax::Postgres, 5),
        Vec::<String>::new()
    );
    assert_eq!(words("--x DROP", Syntax::Mysql, 5), Vec::<String>::new());
    assert_eq!(words("--x\nDROP", Syntax::Sqlite, 5), ["DROP"]);
    assert_eq!(
        words("/*!40101 SET NAMES utf8 */", Syntax::Mysql, 5),
        Vec::<String>::new()
    );
    assert_eq!(words("SELECT E'x'", Syntax::Postgres, 5), ["SELECT"]);
    assert_eq!(words("SELECT e 'x'", Syntax::Postgres, 5), ["SELECT", "E"]);
    assert_eq!(words("DELIMITER //", Syntax::Mysql, 5), ["DELIMITER"]);
    assert_eq!(
        words("créer unique", Syntax::Sqlite, 5),
        ["CRÉER", "UNIQUE"]
    );
}

// --- robustness ------------------------------------------------------------------

/// Splits `sql` in every dialect: it must not panic, must satisfy the
/// invariants when it succeeds, and must point into the file when not.
fn split_anything(sql: &str) {
    for syntax in ALL {
        match split(sql, syntax) {
            Ok(statements) => {
                check_invariants(sql, &statements);
                for s in &statements {
                    let _ = leading_words(&s.text, syntax, 4);
                }
            }
            Err(e) => assert!(e.line >= 1 && e.line <= 1 + sql.matches('\n').count()),
        }
        let _ = leading_words(sql, syntax, 6);
    }
}

#[test]
fn garbage_never_panics() {
    const PIECES: [&str; 62] = [
        "'",
        "\"",
        "`",
        "[",
        "]",
        "$",
        "$$",
        "$a$",
        "$1",
        "/*",
        "*/",
        "/*!",
        "--",
        "-- ",
        "#",
        "\n",
        " ",
        "\t",
        ";",
        ";;",
        "\\",
        "E'",
        "U&'",
        "u&\"",
        "BEGIN",
        "END",
        "CASE",
        "IF",
        "LOOP",
        "REPEAT(",
        "ATOMIC",
        "CREATE TRIGGER t ",
        "CREATE PROCEDURE p() ",
        "CREATE FUNCTION f() ",
        "DELIMITER ",
        "DELIMITER $$\n",
        "\nDELIMITER ;\n",
        "(",
        ")",
        "é",
        "日本",
        ":",
        ".",
        "x",
        "1",
        "THEN",
        "DO",
        "WHILE",
        "END IF",
        "NOT ATOMIC",
        "\r",
        "//",
        "DELIMITER §\n",
        "§",
        "\x0b",
        "delimiter",
        "end ",
        "FOR EACH ROW FOLLOWS x ",
        "SQL SECURITY INVOKER ",
        "COMMENT 'c' ",
        "RETURNS INT ",
        "CREATE FUNCTION f(",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let len = next() % 40;
        let sql: String = (0..len)
            .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
            .collect();
        split_anything(&sql);
    }
}

fn fixture_root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/split")
}

/// The fixtures of one dialect: (file stem, contents), sorted by name.
pub(super) fn fixtures(dir: &str) -> Vec<(String, String)> {
    let path = fixture_root().join(dir);
    let mut found: Vec<_> = fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .map(|p| {
            let stem = p.file_stem().expect("stem").to_string_lossy().into_owned();
            let sql = fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (stem, sql)
        })
        .collect();
    found.sort();
    found
}

const FIXTURE_DIRS: [(&str, Syntax); 3] = [
    ("sqlite", Syntax::Sqlite),
    ("postgres", Syntax::Postgres),
    ("mysql", Syntax::Mysql),
];

#[test]
fn every_prefix_of_every_fixture_splits_without_panicking() {
    for (dir, _) in FIXTURE_DIRS {
        for (_, sql) in fixtures(dir) {
            for (at, _) in sql.char_indices() {
                split_anything(&sql[..at]);
            }
        }
    }
}

fn render(statements: &[Statement]) -> String {
    let mut out = String::new();
    for s in statements {
        out.push_str(&format!("--- line {} ---\n{}\n", s.line, s.text));
    }
    out
}

#[test]
fn fixtures_split_as_snapshotted() {
    for (dir, syntax) in FIXTURE_DIRS {
        let files = fixtures(dir);
        assert!(files.len() >= 5, "only {} fixtures in {dir}", files.len());
        for (stem, sql) in files {
            let found = statements(&sql, syntax);
            insta::with_settings!({
                description => format!("tests/data/split/{dir}/{stem}.sql split as {syntax:?}"),
                omit_expression => true,
            }, {
                insta::assert_snapshot!(format!("fixture_{dir}_{stem}"), render(&found));
            });
        }
    }
}

#[test]
fn sqlite_end_after_a_keyword_named_column_closes_the_case() {
    // Issue 10: `new.by` ends an operand, so the END closes the CASE and the
    // body ends at `; END`: the COMMIT after the trigger is its own statement.
    let sql = "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET x = CASE WHEN 1 THEN new.by END;\nEND;\nCOMMIT;\nDELETE FROM t;";
    assert_eq!(
        lines(sql, Syntax::Sqlite),
        [
            (
                1,
                "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET x = CASE WHEN 1 THEN new.by END;\nEND".to_string()
            ),
            (4, "COMMIT".to_string()),
            (5, "DELETE FROM t".to_string()),
        ]
    );
    let body = |expression: &str| {
        format!("CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT {expression}; END; COMMIT")
    };
    for expression in [
        // After a `.` every word is a name.
        "CASE WHEN 1 THEN old.then END",
        "CASE WHEN 1 THEN t.end END",
        "CASE new.case WHEN 1 THEN new.begin END",
        // Where an operand is expected, BY, LIKE, MATCH and END are names.
        "CASE WHEN 1 THEN by END",
        "CASE WHEN like THEN match END",
        "CASE WHEN end > 0 THEN end ELSE -end END",
        "CASE WHEN 'a' NOT LIKE end THEN 1 END",
        "CASE WHEN x IS NOT NULL THEN x ISNULL END",
        // Nested, and inside parentheses only the inner CASE closes.
        "CASE WHEN 1 THEN (CASE WHEN by THEN end END) ELSE CASE end WHEN 1 THEN 2 END END",
        "CASE WHEN (SELECT max(x) FROM t ORDER BY end) THEN 1 END",
        // Quoted names and comments.
        "CASE WHEN 1 THEN \"end\" /* END; */ END",
    ] {
        let sql = body(expression);
        let found = texts(&sql, Syntax::Sqlite);
        assert_eq!(found.len(), 2, "{expression}: {found:#?}");
        assert_eq!(found[1], "COMMIT", "{expression}");
    }
}

#[test]
fn sqlite_begin_and_end_as_names_around_a_trigger_body() {
    assert_eq!(
        texts(
            "CREATE TRIGGER begin AFTER UPDATE OF begin ON begin WHEN new.begin BEGIN\n  UPDATE begin SET end = end + 1;\nEND;\nSELECT 1 end;",
            Syntax::Sqlite
        ),
        [
            "CREATE TRIGGER begin AFTER UPDATE OF begin ON begin WHEN new.begin BEGIN\n  UPDATE begin SET end = end + 1;\nEND",
            "SELECT 1 end"
        ]
    );
}

#[test]
fn mysql_statements_between_custom_delimiters_are_split_as_the_server_reads_them() {
    // Issue 10: the client sends the text between `;;` as one query, and the
    // server runs each statement in it; preflight must see the COMMIT.
    assert_eq!(
        lines(
            "DELIMITER ;;\nUPDATE t SET a = 1;\n  COMMIT;;\nDELIMITER ;\nSELECT 1;",
            Syntax::Mysql
        ),
        [
            (2, "UPDATE t SET a = 1".to_string()),
            (3, "COMMIT".to_string()),
            (5, "SELECT 1".to_string()),
        ]
    );
    // A stored program is one statement, its inner `;` included; what
    // follows it in the same block is another.
    assert_eq!(
        texts(
            "DELIMITER $$\nCREATE PROCEDURE p() BEGIN\n  IF 1 THEN SELECT 1; END IF;\n  WHILE 0 DO SELECT 2; END WHILE;\nEND;\nCOMMIT$$\n\
             CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1; DELETE FROM t$$",
            Syntax::Mysql
        ),
        [
            "CREATE PROCEDURE p() BEGIN\n  IF 1 THEN SELECT 1; END IF;\n  WHILE 0 DO SELECT 2; END WHILE;\nEND",
            "COMMIT",
            "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1",
            "DELETE FROM t"
        ]
    );
    // `;` in strings, comments and executable comments stays text.
    assert_eq!(
        texts(
            "DELIMITER //\nSELECT 'a;b' -- c;\n, \"d;\" /* e; */ //\n/*!50003 SET @x = 1 */;//",
            Syntax::Mysql
        ),
        [
            "SELECT 'a;b' -- c;\n, \"d;\" /* e; */",
            "/*!50003 SET @x = 1 */"
        ]
    );
}

#[test]
fn mysql_a_custom_delimiter_block_that_cannot_be_split_is_an_error() {
    // The BEGIN looks unclosed at `$$`, so where its statements end cannot be
    // told; without a `;` inside, it is one statement, as before.
    let problem = error(
        "SELECT 1;\nDELIMITER $$\nCREATE PROCEDURE p() BEGIN\n  SELECT 1; COMMIT;\n$$",
        Syntax::Mysql,
    );
    assert_eq!(problem.line, 3);
    assert!(problem.message.contains("DELIMITER"), "{problem}");
    assert_eq!(
        texts(
            "DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1 $$",
            Syntax::Mysql
        ),
        ["CREATE PROCEDURE p() BEGIN SELECT 1"]
    );
    // The same under `;` falls back to the first `;`, as it always has.
    assert_eq!(
        texts(
            "CREATE PROCEDURE p() BEGIN\n  SELECT 1; COMMIT;",
            Syntax::Mysql
        ),
        ["CREATE PROCEDURE p() BEGIN\n  SELECT 1", "COMMIT"]
    );
}
