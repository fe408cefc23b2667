//! What the two bookkeeping tables are made of, alike for every database: a
//! [`Column`] (its name and [`Kind`]), a stored [`Value`], and a [`Row`] of
//! values by column name.
//!
//! The tables themselves are declared once, in [`crate::version_table`] and
//! [`crate::log_table`], each with the conversion of a [`Row`] to and from
//! its typed model. A backend never counts columns: it reads the n-th
//! selected column by the n-th [`Column`]'s kind ([`Row::read`]) and binds
//! the values a table module hands it in that module's column order, so all
//! it writes itself is its SQL dialect.

use std::collections::BTreeMap;

/// How a column's value is stored, which decides how each backend types,
/// selects and binds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A version: decimal text here, a 38-digit decimal where the database
    /// has one (20-digit stamps do not fit a 64-bit integer).
    Version,
    /// Text.
    Text,
    /// A time: RFC 3339 UTC text here, the database's time type where it
    /// has one.
    Time,
    /// A 64-bit integer.
    Integer,
}

/// One column of a bookkeeping table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Its name, as in `CREATE TABLE`.
    pub name: &'static str,
    /// How its value is stored.
    pub kind: Kind,
}

impl Column {
    /// A column named `name` of `kind`.
    pub const fn new(name: &'static str, kind: Kind) -> Column {
        Column { name, kind }
    }
}

/// One stored value: text (versions and times included) or an integer,
/// either of which may be null.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A [`Kind::Version`], [`Kind::Text`] or [`Kind::Time`] value.
    Text(Option<String>),
    /// A [`Kind::Integer`] value.
    Integer(Option<i64>),
}

impl Value {
    /// The null of a column of `kind`.
    pub fn null(kind: Kind) -> Value {
        match kind {
            Kind::Integer => Value::Integer(None),
            Kind::Version | Kind::Text | Kind::Time => Value::Text(None),
        }
    }
}

/// A count or sequence number as an integer column stores it. Counts never
/// come near `i64::MAX`; saturating keeps a corrupt one from wrapping.
pub fn integer(value: impl TryInto<i64>) -> i64 {
    value.try_into().unwrap_or(i64::MAX)
}

/// One row of a bookkeeping table: its values by column name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    values: BTreeMap<&'static str, Value>,
}

impl Row {
    /// Reads a row whose columns were selected in `columns` order: `read`
    /// gets each column's index and declaration and returns its value (of
    /// the column's kind).
    pub fn read<E>(
        columns: &[Column],
        mut read: impl FnMut(usize, &Column) -> Result<Value, E>,
    ) -> Result<Row, E> {
        let mut row = Row::default();
        for (index, column) in columns.iter().enumerate() {
            row.values.insert(column.name, read(index, column)?);
        }
        Ok(row)
    }

    /// Sets a text, version or time column.
    pub fn set_text(&mut self, column: &'static str, value: Option<String>) {
        self.values.insert(column, Value::Text(value));
    }

    /// Sets an integer column.
    pub fn set_integer(&mut self, column: &'static str, value: Option<i64>) {
        self.values.insert(column, Value::Integer(value));
    }

    /// Takes a text, version or time column's value; `None` when it is null
    /// (or not a text column, which the table modules' tests rule out).
    pub fn text(&mut self, column: &str) -> Option<String> {
        match self.values.remove(column) {
            Some(Value::Text(text)) => text,
            _ => None,
        }
    }

    /// Takes an integer column's value; `None` when it is null (or not an
    /// integer column, which the table modules' tests rule out).
    pub fn integer(&mut self, column: &str) -> Option<i64> {
        match self.values.remove(column) {
            Some(Value::Integer(number)) => number,
            _ => None,
        }
    }

    /// The values of `columns`, in that order, to bind; null for a column
    /// the row does not set.
    pub fn values(&self, columns: &[Column]) -> Vec<Value> {
        columns
            .iter()
            .map(|column| {
                self.values
                    .get(column.name)
                    .cloned()
                    .unwrap_or_else(|| Value::null(column.kind))
            })
            .collect()
    }

    /// Whether the row sets exactly `columns`, each with a value of its
    /// kind: what a table module's conversion must produce.
    #[cfg(test)]
    pub fn matches(&self, columns: &[Column]) -> bool {
        self.values.len() == columns.len()
            && columns.iter().all(|column| {
                matches!(
                    (self.values.get(column.name), column.kind),
                    (Some(Value::Integer(_)), Kind::Integer)
                        | (
                            Some(Value::Text(_)),
                            Kind::Version | Kind::Text | Kind::Time
                        )
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: [Column; 3] = [
        Column::new("id", Kind::Integer),
        Column::new("name", Kind::Text),
        Column::new("at", Kind::Time),
    ];

    #[test]
    fn a_row_reads_by_kind_and_binds_in_column_order() {
        let row = Row::read(&COLUMNS, |index, column| {
            Ok::<_, ()>(match column.kind {
                Kind::Integer => Value::Integer(Some(index as i64)),
                _ => Value::Text(Some(format!("v{index}"))),
            })
        })
        .unwrap();
        assert!(row.matches(&COLUMNS));
        assert_eq!(
            row.values(&[COLUMNS[2], COLUMNS[0]]),
            [Value::Text(Some("v2".into())), Value::Integer(Some(0))]
        );
        let mut row = row;
        assert_eq!(row.text("name").as_deref(), Some("v1"));
        assert_eq!(row.integer("id"), Some(0));
        assert_eq!(row.text("id"), None, "taken already");
    }

    #[test]
    fn unset_columns_bind_as_nulls_of_their_kind() {
        let mut row = Row::default();
        row.set_text("name", Some("x".into()));
        assert!(!row.matches(&COLUMNS));
        assert_eq!(
            row.values(&COLUMNS),
            [
                Value::Integer(None),
                Value::Text(Some("x".into())),
                Value::Text(None)
            ]
        );
    }

    #[test]
    fn a_value_of_the_wrong_kind_does_not_match() {
        let mut row = Row::default();
        row.set_text("id", Some("1".into()));
        row.set_text("name", None);
        row.set_text("at", None);
        assert!(!row.matches(&COLUMNS));
        assert_eq!(row.integer("id"), None);
    }

    #[test]
    fn integers_saturate() {
        assert_eq!(integer(3usize), 3);
        assert_eq!(integer(u64::MAX), i64::MAX);
    }
}
