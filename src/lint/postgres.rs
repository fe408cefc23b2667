//! PostgreSQL's lock and rewrite hazards: statements that hold a lock
//! blocking reads or writes for as long as they scan or rewrite a table
//! that already has rows. A table created earlier (see [`Known::is_new`])
//! is empty, so they do not apply to it. `CONCURRENTLY` is the fix for an
//! index, and it cannot run in a transaction: with this tool that means a
//! file marked `-- migrate: no-transaction`, which the rule checks too.

use super::parse::{Action, Change};
use super::schema::split_type;
use super::walk::{FileContext, Known, Statement};
use super::{Finding, Rule};

/// The PostgreSQL rules for one statement.
pub fn check(context: &FileContext, known: &Known, statement: &Statement, out: &mut Vec<Finding>) {
    let mut report =
        |rule: Rule, message: String| out.push(context.finding(statement.line, rule, message));
    let in_transaction = !context.file.script.directives.no_transaction;
    match statement.action {
        Action::CreateIndex {
            table,
            concurrently: false,
        } if !known.is_new(table) => report(
            Rule::PgIndexNotConcurrent,
            format!(
                "creates an index on {table} without CONCURRENTLY, blocking its writes while it builds"
            ),
        ),
        Action::CreateIndex {
            concurrently: true, ..
        }
        | Action::DropIndexConcurrently
            if in_transaction =>
        {
            report(
                Rule::PgConcurrentlyInTransaction,
                "uses CONCURRENTLY in a file that runs in a transaction, which PostgreSQL refuses"
                    .into(),
            )
        }
        Action::Rewrite(what) => report(
            Rule::PgVacuumFull,
            format!("runs {what}, which rewrites the table under an ACCESS EXCLUSIVE lock"),
        ),
        Action::AlterTable { table, changes } if !known.is_new(table) => {
            for change in changes {
                if let Some((rule, message)) = alter_hazard(known, table, change) {
                    report(rule, message);
                }
            }
        }
        _ => {}
    }
}

fn alter_hazard(known: &Known, table: &str, change: &Change) -> Option<(Rule, String)> {
    match change {
        Change::AddConstraint {
            kind: kind @ ("UNIQUE" | "PRIMARY KEY" | "EXCLUDE"),
            ..
        } => Some((
            Rule::PgIndexNotConcurrent,
            format!(
                "adds a {kind} constraint to {table}, building its index while it blocks reads and writes"
            ),
        )),
        Change::AddConstraint {
            kind,
            not_valid: false,
            ..
        } => Some((
            Rule::PgConstraintValidates,
            format!(
                "adds a {kind} to {table} without NOT VALID, checking every row under a lock that blocks writes"
            ),
        )),
        Change::SetNotNull(column)
            if !known
                .proven_not_null
                .contains(&(table.to_string(), column.clone())) =>
        {
            Some((
                Rule::PgSetNotNull,
                format!(
                    "sets {table}.{column} NOT NULL, scanning the table under an ACCESS EXCLUSIVE lock"
                ),
            ))
        }
        Change::SetType {
            column,
            data_type,
            using,
        } => {
            let old = known
                .schema
                .column(table, column)
                .map(|c| c.data_type.as_str());
            rewrites(old, data_type, *using).then(|| {
                (
                    Rule::PgTypeRewrite,
                    format!("changes {table}.{column} to {data_type}, rewriting the table under an ACCESS EXCLUSIVE lock"),
                )
            })
        }
        _ => None,
    }
}

/// Whether `ALTER COLUMN … TYPE new` rewrites the table. Only widening a
/// varchar (or making it text) and raising a numeric's precision at the
/// same scale keep the data as it is. With the old type unknown, a change
/// to a character type is given the benefit of the doubt.
fn rewrites(old: Option<&str>, new: &str, using: bool) -> bool {
    if using {
        return true;
    }
    let (new_base, new_args) = split_type(new);
    let Some(old) = old else {
        return !matches!(new_base.as_str(), "TEXT" | "VARCHAR");
    };
    let (old_base, old_args) = split_type(old);
    let varchar = |base: &str| base == "VARCHAR";
    match (old_base.as_str(), new_base.as_str()) {
        (o, n) if varchar(o) && varchar(n) => match (old_args.first(), new_args.first()) {
            (_, None) => false,
            (Some(old_len), Some(new_len)) => new_len < old_len,
            (None, Some(_)) => true,
        },
        (o, "TEXT") if varchar(o) => false,
        ("TEXT", n) if varchar(n) => !new_args.is_empty(),
        ("NUMERIC", "NUMERIC") => match (old_args.as_slice(), new_args.as_slice()) {
            (_, []) => false,
            ([old_p, old_rest @ ..], [new_p, new_rest @ ..]) => {
                new_p < old_p || old_rest.first().unwrap_or(&0) != new_rest.first().unwrap_or(&0)
            }
            _ => true,
        },
        (o, n) => o != n || old_args != new_args,
    }
}

#[cfg(test)]
mod tests {
    use super::rewrites;

    #[test]
    fn which_type_changes_rewrite() {
        assert!(!rewrites(Some("VARCHAR(50)"), "VARCHAR(100)", false));
        assert!(!rewrites(Some("VARCHAR(50)"), "TEXT", false));
        assert!(!rewrites(Some("NUMERIC(8,2)"), "NUMERIC(10,2)", false));
        assert!(!rewrites(None, "TEXT", false));
        assert!(rewrites(Some("INTEGER"), "BIGINT", false));
        assert!(rewrites(Some("VARCHAR(50)"), "VARCHAR(10)", false));
        assert!(rewrites(Some("NUMERIC(8,2)"), "NUMERIC(10,3)", false));
        assert!(rewrites(None, "BIGINT", false));
        assert!(rewrites(Some("TEXT"), "TEXT", true));
    }
}
