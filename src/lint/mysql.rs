//! MySQL/MariaDB's hazards: an `ALTER TABLE` the server can only do by
//! copying the table (blocking writes for the whole copy), and a file that
//! mixes DDL and DML, which cannot be atomic because every DDL statement
//! commits (README "How files run"). An `ALTER TABLE` that names
//! `ALGORITHM=INPLACE` or `INSTANT` is safe by construction: the server
//! refuses it rather than fall back to a copy.

use super::parse::{Action, Change};
use super::walk::{FileContext, Known, Located, Statement};
use super::{Finding, Rule};

/// The MySQL rules for one statement.
pub fn check(context: &FileContext, known: &Known, statement: &Statement, out: &mut Vec<Finding>) {
    let Action::AlterTable { table, changes } = statement.action else {
        return;
    };
    if known.is_new(table) || changes.contains(&Change::OnlineAlgorithm) {
        return;
    }
    for change in changes {
        if let Some(why) = needs_copy(known, table, change) {
            let message =
                format!("{why} on {table}, which MySQL does with ALGORITHM=COPY, blocking writes");
            out.push(context.finding(statement.line, Rule::MysqlAlterCopy, message));
        }
    }
}

/// Why the change needs the copy algorithm, if it does (MySQL's "Online
/// DDL Operations" tables).
fn needs_copy(known: &Known, table: &str, change: &Change) -> Option<String> {
    match change {
        Change::AddConstraint {
            kind: "FOREIGN KEY",
            ..
        } => Some("adds a foreign key".into()),
        Change::DropPrimaryKey => Some("drops the primary key".into()),
        Change::Restate { old, column } => {
            let was = known.schema.column(table, old)?;
            changes_type(&was.data_type, &column.data_type).then(|| {
                format!(
                    "changes {old} from {} to {}",
                    was.data_type, column.data_type
                )
            })
        }
        _ => None,
    }
}

/// A type change other than lengthening a VARCHAR (done in place).
fn changes_type(old: &str, new: &str) -> bool {
    let (old_base, old_args) = super::schema::split_type(old);
    let (new_base, new_args) = super::schema::split_type(new);
    match (old_base.as_str(), new_base.as_str()) {
        ("VARCHAR", "VARCHAR") => new_args.first() < old_args.first(),
        _ => old_base != new_base || old_args != new_args,
    }
}

/// `mysql-mixed-ddl-dml`: one finding at the first DML statement of a file
/// that also holds DDL.
pub fn mixed_ddl_dml(context: &FileContext, statements: &[Located]) -> Option<Finding> {
    let first = |wanted: fn(&Action) -> bool| {
        statements
            .iter()
            .find(|located| located.actions.iter().any(wanted))
            .map(|l| l.line)
    };
    let ddl = first(|action| {
        matches!(
            action,
            Action::CreateTable { .. }
                | Action::CreateIndex { .. }
                | Action::DropTables(_)
                | Action::AlterTable { .. }
                | Action::RenameTable { .. }
                | Action::Truncate(_)
                | Action::OtherDdl
        )
    })?;
    let dml = first(|action| matches!(action, Action::Write { .. }))?;
    let message = format!(
        "mixes DDL (line {ddl}) with DML (line {dml}); MySQL commits each DDL statement, so the file is not atomic"
    );
    Some(context.finding(dml, Rule::MysqlMixedDdlDml, message))
}
