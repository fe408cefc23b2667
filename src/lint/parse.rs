//! Reads one statement, as the splitter cut it, into the few facts the
//! rules need ([`Action`]), so the rules never see a parser's syntax tree.
//!
//! sqlparser (Apache DataFusion's SQL parser) does the reading, with its
//! PostgreSQL, MySQL and SQLite dialects: it covers the DDL that matters
//! here (`CREATE/DROP TABLE/INDEX`, `ALTER TABLE` with every operation of
//! the three databases, `RENAME TABLE`, `TRUNCATE`, DML). A statement it
//! cannot read becomes [`Action::Unparsed`], never a guess: a rule can only
//! fire on a statement that was understood. The one exception is a short
//! list read from the leading words (`CLUSTER`, `VACUUM FULL`, `CREATE
//! INDEX` that sqlparser rejects), where the words alone settle the rule.

use sqlparser::ast::{
    AlterColumnOperation, AlterTableAlgorithm, AlterTableOperation, ColumnDef, ColumnOption, Expr,
    ObjectName, ObjectType, RenameTableNameKind, Statement, TableConstraint,
};
use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

use crate::split::{Syntax, leading_words};

/// A column as a statement defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The name, lower case.
    pub name: String,
    /// The type as written, upper case (`VARCHAR(50)`).
    pub data_type: String,
    /// `NOT NULL` (or `PRIMARY KEY`).
    pub not_null: bool,
    /// `DEFAULT …`, generated, or auto-increment: old code need not write it.
    pub has_default: bool,
}

/// One change of an `ALTER TABLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// `ADD COLUMN`.
    AddColumn(Column),
    /// `DROP COLUMN`.
    DropColumn(Vec<String>),
    /// `RENAME COLUMN a TO b`.
    RenameColumn { from: String, to: String },
    /// `RENAME TO`.
    RenameTo(String),
    /// `ALTER COLUMN c SET NOT NULL`.
    SetNotNull(String),
    /// `ALTER COLUMN c TYPE t [USING …]`.
    SetType {
        column: String,
        data_type: String,
        using: bool,
    },
    /// MySQL `MODIFY c …` and `CHANGE old new …`: the column restated.
    Restate { old: String, column: Column },
    /// `ADD FOREIGN KEY` / `ADD CHECK`, with `NOT VALID` or not.
    AddConstraint {
        kind: &'static str,
        not_valid: bool,
        name: Option<String>,
        not_null_of: Option<String>,
    },
    /// `VALIDATE CONSTRAINT name`.
    Validate(String),
    /// `DROP PRIMARY KEY`.
    DropPrimaryKey,
    /// MySQL `ALGORITHM=INPLACE|INSTANT`: the server refuses rather than copies.
    OnlineAlgorithm,
    /// Anything else.
    Other,
}

/// What a statement does, as far as the rules care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `CREATE TABLE` (also `AS SELECT`), with the tables its foreign keys reference.
    CreateTable {
        table: String,
        columns: Vec<Column>,
        references: Vec<String>,
    },
    /// `CREATE INDEX`.
    CreateIndex { table: String, concurrently: bool },
    /// `DROP TABLE`.
    DropTables(Vec<String>),
    /// `DROP INDEX … CONCURRENTLY`, which cannot run in a transaction.
    DropIndexConcurrently,
    /// `ALTER TABLE`.
    AlterTable { table: String, changes: Vec<Change> },
    /// MySQL `RENAME TABLE a TO b`.
    RenameTable { from: String, to: String },
    /// `TRUNCATE`.
    Truncate(Vec<String>),
    /// `INSERT`, `UPDATE`, `DELETE`, `MERGE` (`DELETE` removes rows).
    Write { delete: bool },
    /// `VACUUM FULL` or `CLUSTER`.
    Rewrite(&'static str),
    /// Any other DDL (`CREATE VIEW`, `DROP TYPE`, …).
    OtherDdl,
    /// Anything else (`SET`, `SELECT`, comments only, …).
    Other,
    /// A statement the parser could not read, and why.
    Unparsed(String),
}

/// Reads one statement of `syntax`.
pub fn parse(text: &str, syntax: Syntax) -> Vec<Action> {
    if let Some(action) = by_leading_words(text, syntax) {
        return vec![action];
    }
    let dialect: &dyn Dialect = match syntax {
        Syntax::Postgres => &PostgreSqlDialect {},
        Syntax::Mysql => &MySqlDialect {},
        Syntax::Sqlite => &SQLiteDialect {},
    };
    // A parser bug must not end the run: the statement is then unread.
    let parse = std::panic::AssertUnwindSafe(|| Parser::parse_sql(dialect, text));
    let parsed = std::panic::catch_unwind(parse);
    match parsed {
        Ok(Ok(statements)) => statements.iter().map(action).collect(),
        Ok(Err(error)) => {
            vec![fallback(text, syntax).unwrap_or_else(|| Action::Unparsed(error.to_string()))]
        }
        Err(_) => vec![Action::Unparsed("the parser failed on it".into())],
    }
}

/// Statements sqlparser does not read the PostgreSQL way, settled by their words.
fn by_leading_words(text: &str, syntax: Syntax) -> Option<Action> {
    if syntax != Syntax::Postgres {
        return None;
    }
    let words = leading_words(text, syntax, 3);
    match words.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["CLUSTER", ..] => Some(Action::Rewrite("CLUSTER")),
        ["VACUUM", "FULL", ..] => Some(Action::Rewrite("VACUUM FULL")),
        ["DROP", "INDEX", "CONCURRENTLY"] => Some(Action::DropIndexConcurrently),
        // sqlparser has no DO; its body is PL/pgSQL, which no rule reads.
        ["DO", ..] => Some(Action::Unparsed(
            "a DO block, whose PL/pgSQL body is not read".into(),
        )),
        ["VACUUM", ..] => Some(Action::Other),
        _ => None,
    }
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] name ON table …`
/// that sqlparser rejects (an operator class, a storage parameter): the
/// words name the table, and whether the build is concurrent.
fn fallback(text: &str, syntax: Syntax) -> Option<Action> {
    let words = leading_words(text, syntax, 12);
    let index = words.iter().position(|word| word == "INDEX")?;
    let create = words.first()? == "CREATE" && index <= 2;
    let on = words.iter().position(|word| word == "ON")?;
    let table = words.get(on + 1)?.to_lowercase();
    let table = table.rsplit('.').next().unwrap_or(&table).to_string();
    create.then(|| Action::CreateIndex {
        table,
        concurrently: words[index..on].iter().any(|word| word == "CONCURRENTLY"),
    })
}

/// The last part of a name, lower case: `public."Users"` is `users`.
pub fn name_of(name: &ObjectName) -> String {
    name.0
        .last()
        .and_then(|part| part.as_ident())
        .map(|ident| ident.value.to_lowercase())
        .unwrap_or_default()
}

fn action(statement: &Statement) -> Action {
    match statement {
        Statement::CreateTable(create) => {
            let columns: Vec<Column> = create.columns.iter().map(column).collect();
            let mut references: Vec<String> = create
                .columns
                .iter()
                .flat_map(|def| def.options.iter())
                .filter_map(|option| match &option.option {
                    ColumnOption::ForeignKey(key) => Some(name_of(&key.foreign_table)),
                    _ => None,
                })
                .collect();
            references.extend(create.constraints.iter().filter_map(
                |constraint| match constraint {
                    TableConstraint::ForeignKey(key) => Some(name_of(&key.foreign_table)),
                    _ => None,
                },
            ));
            Action::CreateTable {
                table: name_of(&create.name),
                columns,
                references,
            }
        }
        Statement::CreateIndex(index) => Action::CreateIndex {
            table: name_of(&index.table_name),
            concurrently: index.concurrently,
        },
        Statement::Drop {
            object_type: ObjectType::Table,
            names,
            ..
        } => Action::DropTables(names.iter().map(name_of).collect()),
        Statement::AlterTable(alter) => Action::AlterTable {
            table: name_of(&alter.name),
            changes: alter.operations.iter().map(change).collect(),
        },
        Statement::RenameTable(renames) => match renames.as_slice() {
            [one] => Action::RenameTable {
                from: name_of(&one.old_name),
                to: name_of(&one.new_name),
            },
            _ => Action::OtherDdl,
        },
        Statement::Truncate(truncate) => Action::Truncate(
            truncate
                .table_names
                .iter()
                .map(|target| name_of(&target.name))
                .collect(),
        ),
        Statement::Insert(_) | Statement::Update(_) | Statement::Merge(_) => {
            Action::Write { delete: false }
        }
        Statement::Delete(_) => Action::Write { delete: true },
        Statement::Vacuum(vacuum) if vacuum.full => Action::Rewrite("VACUUM FULL"),
        other if is_ddl(other) => Action::OtherDdl,
        _ => Action::Other,
    }
}

/// DDL by its first keyword, for the MySQL implicit-commit question.
fn is_ddl(statement: &Statement) -> bool {
    let text = statement.to_string();
    let first = text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_uppercase();
    matches!(first.as_str(), "CREATE" | "ALTER" | "DROP" | "RENAME")
}

/// A column definition's facts.
pub fn column(def: &ColumnDef) -> Column {
    let mut not_null = false;
    let mut has_default = false;
    for option in &def.options {
        match &option.option {
            ColumnOption::NotNull | ColumnOption::PrimaryKey(_) => not_null = true,
            ColumnOption::Default(_) | ColumnOption::Generated { .. } => has_default = true,
            ColumnOption::DialectSpecific(tokens) => {
                let words = tokens.iter().map(|token| token.to_string().to_uppercase());
                if words
                    .into_iter()
                    .any(|word| word.contains("AUTO_INCREMENT") || word.contains("AUTOINCREMENT"))
                {
                    has_default = true;
                }
            }
            _ => {}
        }
    }
    let data_type = def.data_type.to_string().to_uppercase();
    // A serial column draws its value from a sequence.
    has_default |= data_type.contains("SERIAL");
    Column {
        name: def.name.value.to_lowercase(),
        data_type,
        not_null,
        has_default,
    }
}

fn change(operation: &AlterTableOperation) -> Change {
    match operation {
        AlterTableOperation::AddColumn { column_def, .. } => Change::AddColumn(column(column_def)),
        AlterTableOperation::DropColumn { column_names, .. } => Change::DropColumn(
            column_names
                .iter()
                .map(|name| name.value.to_lowercase())
                .collect(),
        ),
        AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => Change::RenameColumn {
            from: old_column_name.value.to_lowercase(),
            to: new_column_name.value.to_lowercase(),
        },
        AlterTableOperation::RenameTable { table_name } => match table_name {
            RenameTableNameKind::As(name) | RenameTableNameKind::To(name) => {
                Change::RenameTo(name_of(name))
            }
        },
        AlterTableOperation::AlterColumn { column_name, op } => {
            let column = column_name.value.to_lowercase();
            match op {
                AlterColumnOperation::SetNotNull => Change::SetNotNull(column),
                AlterColumnOperation::SetDataType {
                    data_type, using, ..
                } => Change::SetType {
                    column,
                    data_type: data_type.to_string().to_uppercase(),
                    using: using.is_some(),
                },
                _ => Change::Other,
            }
        }
        AlterTableOperation::ModifyColumn {
            col_name,
            data_type,
            options,
            ..
        } => restate(col_name, col_name, data_type, options),
        AlterTableOperation::ChangeColumn {
            old_name,
            new_name,
            data_type,
            options,
            ..
        } => restate(old_name, new_name, data_type, options),
        AlterTableOperation::AddConstraint {
            constraint,
            not_valid,
        } => add_constraint(constraint, *not_valid),
        AlterTableOperation::ValidateConstraint { name } => {
            Change::Validate(name.value.to_lowercase())
        }
        AlterTableOperation::DropPrimaryKey { .. } => Change::DropPrimaryKey,
        AlterTableOperation::Algorithm {
            algorithm: AlterTableAlgorithm::Inplace | AlterTableAlgorithm::Instant,
            ..
        } => Change::OnlineAlgorithm,
        _ => Change::Other,
    }
}

fn restate(
    old: &sqlparser::ast::Ident,
    new: &sqlparser::ast::Ident,
    data_type: &sqlparser::ast::DataType,
    options: &[ColumnOption],
) -> Change {
    let def = ColumnDef {
        name: new.clone(),
        data_type: data_type.clone(),
        options: options
            .iter()
            .map(|option| sqlparser::ast::ColumnOptionDef {
                name: None,
                option: option.clone(),
            })
            .collect(),
    };
    Change::Restate {
        old: old.value.to_lowercase(),
        column: column(&def),
    }
}

fn add_constraint(constraint: &TableConstraint, not_valid: bool) -> Change {
    match constraint {
        TableConstraint::ForeignKey(key) => Change::AddConstraint {
            kind: "FOREIGN KEY",
            not_valid,
            name: key.name.as_ref().map(|name| name.value.to_lowercase()),
            not_null_of: None,
        },
        TableConstraint::Check(check) => Change::AddConstraint {
            kind: "CHECK",
            not_valid,
            name: check.name.as_ref().map(|name| name.value.to_lowercase()),
            not_null_of: match check.expr.as_ref() {
                Expr::IsNotNull(inner) => match inner.as_ref() {
                    Expr::Identifier(ident) => Some(ident.value.to_lowercase()),
                    _ => None,
                },
                _ => None,
            },
        },
        TableConstraint::Unique(_) => index_constraint("UNIQUE"),
        TableConstraint::PrimaryKey(_) => index_constraint("PRIMARY KEY"),
        TableConstraint::Exclude(_) => index_constraint("EXCLUDE"),
        _ => Change::Other,
    }
}

/// A constraint that builds an index of its own (not `USING INDEX`).
fn index_constraint(kind: &'static str) -> Change {
    Change::AddConstraint {
        kind,
        not_valid: false,
        name: None,
        not_null_of: None,
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
