//! TEMPORARY stand-in until the real splitter lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Sqlite,
    Postgres,
    Mysql,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub text: String,
    pub line: usize,
    pub offset: usize,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    pub line: usize,
    pub message: String,
}
impl std::fmt::Display for SplitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for SplitError {}
pub fn split(sql: &str, _syntax: Syntax) -> Result<Vec<Statement>, SplitError> {
    let mut out = Vec::new();
    let mut offset = 0;
    for part in sql.split(';') {
        let lead = part.len() - part.trim_start().len();
        let text = part.trim();
        if !text.is_empty()
            && !text
                .lines()
                .all(|l| l.trim().is_empty() || l.trim().starts_with("--"))
        {
            let start = offset + lead;
            out.push(Statement {
                text: text.to_string(),
                line: 1 + sql[..start].matches('\n').count(),
                offset: start,
            });
        }
        offset += part.len() + 1;
    }
    Ok(out)
}
pub fn leading_words(text: &str, _syntax: Syntax, max: usize) -> Vec<String> {
    text.split_whitespace()
        .take(max)
        .map(|w| w.to_ascii_uppercase())
        .collect()
}
