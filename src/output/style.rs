//! How to print (the output options) and the styles of human output, and
//! the aligned table that `status` and `log` share.

use anstyle::{AnsiColor, Style};

/// How to print: the command line's output options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutputStyle {
    /// `--json`.
    pub json: bool,
    /// `-q`.
    pub quiet: bool,
    /// `-v` count.
    pub verbose: u8,
    /// How wide the tables may be: `COLUMNS`, else the terminal's width;
    /// `None` (stdout is no terminal) is without a bound.
    pub width: Option<usize>,
    /// `MIGRATE_PROGRESS_EVERY`: how often, when stderr is no terminal, a
    /// long operation says it is still running (default: after 5 s, then
    /// every 30 s).
    pub progress_every: Option<std::time::Duration>,
}

/// The style of `error:` on stderr.
pub const ERROR_STYLE: Style = AnsiColor::Red.on_default().bold();

/// `text` in `style`; plain when either is empty.
pub fn paint(style: Style, text: &str) -> String {
    if text.is_empty() || style == Style::new() {
        return text.to_string();
    }
    format!("{style}{text}{style:#}")
}

/// Aligned columns, the numbers right-aligned (an `id` or `version`
/// column, always the first), whose cells `style` may colour by column index and
/// text. The padding stays outside the escapes, so the columns align in
/// colour too.
pub(super) fn table<const N: usize>(
    header: &[&str; N],
    rows: &[[String; N]],
    style: &dyn Fn(usize, &str) -> Style,
) -> String {
    let mut widths = header.map(str::len);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let render = |cells: Vec<&str>, styled: bool| {
        let mut line = String::new();
        for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
            let pad = " ".repeat(width.saturating_sub(cell.chars().count()));
            let shown = match styled {
                true => paint(style(index, cell), cell),
                false => cell.to_string(),
            };
            let numbers = matches!(header[index], "id" | "version");
            if index == 0 && numbers {
                line.push_str(&pad);
                line.push_str(&shown);
            } else if numbers {
                line.push_str("  ");
                line.push_str(&pad);
                line.push_str(&shown);
            } else {
                if index > 0 {
                    line.push_str("  ");
                }
                line.push_str(&shown);
                line.push_str(&pad);
            }
        }
        line.trim_end().to_string() + "\n"
    };
    let mut text = render(header.to_vec(), false);
    for row in rows {
        text.push_str(&render(row.iter().map(String::as_str).collect(), true));
    }
    text
}
