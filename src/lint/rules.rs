//! The rule catalogue of `lint`: every rule's stable name, severity, the
//! databases it applies to, the one-line reason and the fix, in
//! expand/contract terms. The README's rule table and SARIF's
//! `tool.driver.rules` are both read from here, so neither can fall behind.

use std::fmt;

use crate::split::Syntax;

/// How much a finding matters: `lint` exits 3 when an error remains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Breaks old code, loses data or blocks traffic: exit 3.
    Error,
    /// A hazard worth a look; the exit code stays 0.
    Warning,
    /// For information, such as a statement the linter could not read.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One rule of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// An add file drops or renames a table or column old code may use.
    AddRemoves,
    /// An add file makes old code's writes fail.
    AddBreaksWrites,
    /// A simdrop file removes something for good.
    SimdropIrreversible,
    /// A down file with no statements for an add file that has some.
    DownEmpty,
    /// PostgreSQL `CREATE INDEX` without `CONCURRENTLY` on an existing table.
    PgIndexNotConcurrent,
    /// PostgreSQL `CONCURRENTLY` in a file that runs in a transaction.
    PgConcurrentlyInTransaction,
    /// PostgreSQL `ADD FOREIGN KEY` / `ADD CHECK` without `NOT VALID`.
    PgConstraintValidates,
    /// PostgreSQL `SET NOT NULL` on an existing column.
    PgSetNotNull,
    /// PostgreSQL column type change that rewrites the table.
    PgTypeRewrite,
    /// PostgreSQL `VACUUM FULL` or `CLUSTER`.
    PgVacuumFull,
    /// MySQL `ALTER TABLE` that needs the copy algorithm.
    MysqlAlterCopy,
    /// MySQL file mixing DDL and DML.
    MysqlMixedDdlDml,
    /// SQLite rebuild of a table other tables reference.
    SqliteRebuildReferenced,
    /// SQLite rename of a referenced table that is then dropped.
    SqliteRenameReferenced,
    /// A statement the linter cannot parse.
    Unparsed,
}

const ALL_DATABASES: &[Syntax] = &[Syntax::Sqlite, Syntax::Postgres, Syntax::Mysql];

impl Rule {
    /// Every rule, in the order the README lists them.
    pub const ALL: [Rule; 15] = [
        Rule::AddRemoves,
        Rule::AddBreaksWrites,
        Rule::SimdropIrreversible,
        Rule::DownEmpty,
        Rule::PgIndexNotConcurrent,
        Rule::PgConcurrentlyInTransaction,
        Rule::PgConstraintValidates,
        Rule::PgSetNotNull,
        Rule::PgTypeRewrite,
        Rule::PgVacuumFull,
        Rule::MysqlAlterCopy,
        Rule::MysqlMixedDdlDml,
        Rule::SqliteRebuildReferenced,
        Rule::SqliteRenameReferenced,
        Rule::Unparsed,
    ];

    /// The stable kebab-case name, used in output and `allow=`.
    pub fn name(self) -> &'static str {
        match self {
            Rule::AddRemoves => "add-removes",
            Rule::AddBreaksWrites => "add-breaks-writes",
            Rule::SimdropIrreversible => "simdrop-irreversible",
            Rule::DownEmpty => "down-empty",
            Rule::PgIndexNotConcurrent => "pg-index-not-concurrent",
            Rule::PgConcurrentlyInTransaction => "pg-concurrently-in-transaction",
            Rule::PgConstraintValidates => "pg-constraint-validates",
            Rule::PgSetNotNull => "pg-set-not-null",
            Rule::PgTypeRewrite => "pg-type-rewrite",
            Rule::PgVacuumFull => "pg-vacuum-full",
            Rule::MysqlAlterCopy => "mysql-alter-copy",
            Rule::MysqlMixedDdlDml => "mysql-mixed-ddl-dml",
            Rule::SqliteRebuildReferenced => "sqlite-rebuild-referenced",
            Rule::SqliteRenameReferenced => "sqlite-rename-referenced",
            Rule::Unparsed => "unparsed",
        }
    }

    /// The rule called `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.name() == name)
    }

    /// How much a finding of this rule matters.
    pub fn severity(self) -> Severity {
        match self {
            Rule::DownEmpty
            | Rule::MysqlMixedDdlDml
            | Rule::SqliteRebuildReferenced
            | Rule::PgSetNotNull => Severity::Warning,
            Rule::Unparsed => Severity::Info,
            _ => Severity::Error,
        }
    }

    /// The databases the rule looks at.
    pub fn databases(self) -> &'static [Syntax] {
        match self {
            Rule::PgIndexNotConcurrent
            | Rule::PgConcurrentlyInTransaction
            | Rule::PgConstraintValidates
            | Rule::PgSetNotNull
            | Rule::PgTypeRewrite
            | Rule::PgVacuumFull => &[Syntax::Postgres],
            Rule::MysqlAlterCopy | Rule::MysqlMixedDdlDml => &[Syntax::Mysql],
            Rule::SqliteRebuildReferenced | Rule::SqliteRenameReferenced => &[Syntax::Sqlite],
            _ => ALL_DATABASES,
        }
    }

    /// The one-line reason: why it matters.
    pub fn reason(self) -> &'static str {
        match self {
            Rule::AddRemoves => {
                "the add phase runs while old code still runs, and old code still uses what it drops or renames"
            }
            Rule::AddBreaksWrites => {
                "old code still writes while the add phase is live, and its writes fail on a new NOT NULL column without a default, a narrowed type or a new NOT NULL"
            }
            Rule::SimdropIrreversible => {
                "simdrop must be reversible by rollback_simdrop, and what it removes for good cannot come back"
            }
            Rule::DownEmpty => {
                "rolling back would record success and leave the add phase's changes in place"
            }
            Rule::PgIndexNotConcurrent => {
                "CREATE INDEX (and ADD UNIQUE / PRIMARY KEY, which build one) blocks writes to the table while the index builds"
            }
            Rule::PgConcurrentlyInTransaction => {
                "PostgreSQL refuses CONCURRENTLY inside a transaction, and this file runs in one"
            }
            Rule::PgConstraintValidates => {
                "adding a foreign key or check validates every row while it holds a lock that blocks writes"
            }
            Rule::PgSetNotNull => {
                "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock, blocking reads and writes"
            }
            Rule::PgTypeRewrite => {
                "changing a column's type rewrites the table and its indexes under an ACCESS EXCLUSIVE lock"
            }
            Rule::PgVacuumFull => {
                "VACUUM FULL and CLUSTER rewrite the table under an ACCESS EXCLUSIVE lock"
            }
            Rule::MysqlAlterCopy => {
                "this ALTER TABLE needs the COPY algorithm, which copies the table and blocks writes for the duration"
            }
            Rule::MysqlMixedDdlDml => {
                "MySQL commits DDL implicitly, so a file mixing DDL and DML is not atomic: a failure leaves it half applied"
            }
            Rule::SqliteRebuildReferenced => {
                "rebuilding a table that others reference copies every row under the write lock and must keep their foreign keys intact"
            }
            Rule::SqliteRenameReferenced => {
                "SQLite points the foreign keys of other tables at the new name, so dropping the renamed table leaves them dangling"
            }
            Rule::Unparsed => "the linter cannot read the statement, so no rule looked at it",
        }
    }

    /// The fix, in expand/contract terms.
    pub fn fix(self) -> &'static str {
        match self {
            Rule::AddRemoves => {
                "keep it in the add file; hide it in up/N.simdrop.sql (rename to *_deprecated, reversible) and remove it in up/N.drop.sql; for a rename add the new name, copy and sync, and simdrop the old one"
            }
            Rule::AddBreaksWrites => {
                "add the column nullable or with a DEFAULT; tighten it (NOT NULL, a narrower type) in up/N.simdrop.sql once no old code writes"
            }
            Rule::SimdropIrreversible => {
                "rename or disable it in up/N.simdrop.sql (ALTER TABLE ... RENAME TO ..._deprecated) and remove it in up/N.drop.sql"
            }
            Rule::DownEmpty => {
                "write the statements that undo up/N.sql, or remove the down file if the version cannot be rolled back"
            }
            Rule::PgIndexNotConcurrent => {
                "use CREATE INDEX CONCURRENTLY in a file of its own marked `-- migrate: no-transaction`; for a UNIQUE or PRIMARY KEY constraint, then ADD CONSTRAINT ... USING INDEX"
            }
            Rule::PgConcurrentlyInTransaction => {
                "put `-- migrate: no-transaction` on the file's first line, with the CONCURRENTLY statement in a file of its own"
            }
            Rule::PgConstraintValidates => {
                "add it NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT in a later statement or file (that takes a lock that lets writes through)"
            }
            Rule::PgSetNotNull => {
                "add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it, then SET NOT NULL (PostgreSQL 12+ skips the scan) and drop the check"
            }
            Rule::PgTypeRewrite => {
                "add a new column of the new type, backfill it in batches and sync it with a trigger, switch code over, then simdrop the old column"
            }
            Rule::PgVacuumFull => "use pg_repack or a plain VACUUM outside the migration",
            Rule::MysqlAlterCopy => {
                "add ALGORITHM=INPLACE or ALGORITHM=INSTANT, LOCK=NONE so the server refuses rather than copies, or use an online schema change tool (gh-ost, pt-online-schema-change)"
            }
            Rule::MysqlMixedDdlDml => {
                "move the DML (or the DDL) to a version of its own, so each file is atomic or safely resumable"
            }
            Rule::SqliteRebuildReferenced => {
                "prefer ALTER TABLE ADD/RENAME/DROP COLUMN; if a rebuild is needed, keep SQLite's order (create new, copy, drop, rename), recreate indexes and triggers, and let `PRAGMA foreign_key_check` prove it"
            }
            Rule::SqliteRenameReferenced => {
                "rebuild in SQLite's order instead: create the new table, copy, drop the old one, rename the new one to the old name"
            }
            Rule::Unparsed => "check the statement by hand, or report it if it is valid SQL",
        }
    }

    /// A short example that triggers the rule, for the README.
    pub fn example(self) -> &'static str {
        match self {
            Rule::AddRemoves => "up/N.sql: ALTER TABLE users DROP COLUMN name",
            Rule::AddBreaksWrites => "up/N.sql: ALTER TABLE users ADD COLUMN email text NOT NULL",
            Rule::SimdropIrreversible => "up/N.simdrop.sql: DROP TABLE sessions",
            Rule::DownEmpty => "down/N.sql holding only comments",
            Rule::PgIndexNotConcurrent => "CREATE INDEX users_email ON users (email)",
            Rule::PgConcurrentlyInTransaction => {
                "CREATE INDEX CONCURRENTLY ... without no-transaction"
            }
            Rule::PgConstraintValidates => {
                "ALTER TABLE posts ADD FOREIGN KEY (user_id) REFERENCES users"
            }
            Rule::PgSetNotNull => "ALTER TABLE users ALTER COLUMN email SET NOT NULL",
            Rule::PgTypeRewrite => "ALTER TABLE users ALTER COLUMN id TYPE bigint",
            Rule::PgVacuumFull => "VACUUM FULL users",
            Rule::MysqlAlterCopy => "ALTER TABLE users MODIFY name varchar(100) NOT NULL",
            Rule::MysqlMixedDdlDml => "ALTER TABLE ...; UPDATE ... in one file",
            Rule::SqliteRebuildReferenced => {
                "CREATE TABLE users_new ...; DROP TABLE users; ALTER TABLE users_new RENAME TO users"
            }
            Rule::SqliteRenameReferenced => {
                "ALTER TABLE users RENAME TO users_old; ...; DROP TABLE users_old"
            }
            Rule::Unparsed => "a statement the parser does not know",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// The database's name as the rule table writes it.
pub fn database_name(syntax: Syntax) -> &'static str {
    match syntax {
        Syntax::Sqlite => "sqlite",
        Syntax::Postgres => "postgres",
        Syntax::Mysql => "mysql",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case_and_round_trip() {
        for rule in Rule::ALL {
            let name = rule.name();
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{name}"
            );
            assert_eq!(Rule::from_name(name), Some(rule));
            assert!(!rule.reason().is_empty() && !rule.fix().is_empty());
        }
        assert_eq!(Rule::from_name("add-remove"), None);
    }

    /// The README's rule table is the catalogue, row by row.
    #[test]
    fn the_readme_table_is_the_catalogue() {
        let readme = include_str!("../../README.md");
        let databases = |rule: Rule| match rule.databases() {
            [Syntax::Postgres] => "PostgreSQL",
            [Syntax::Mysql] => "MySQL/MariaDB",
            [Syntax::Sqlite] => "SQLite",
            _ => "all",
        };
        let rows: Vec<String> = Rule::ALL
            .iter()
            .map(|rule| {
                format!(
                    "| `{}` | {} | {} | {} | {} |",
                    rule.name(),
                    rule.severity().as_str(),
                    databases(*rule),
                    rule.example(),
                    rule.fix()
                )
            })
            .collect();
        let missing: Vec<&String> = rows
            .iter()
            .filter(|row| !readme.contains(row.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "README rows to write:\n{}",
            rows.join("\n")
        );
    }
}
