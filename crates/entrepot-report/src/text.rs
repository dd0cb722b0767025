//! Plain-text layout helpers: word wrapping and column tables that fit a width.
//!
//! Text laid out here may come from data, so every helper first replaces control
//! characters with visible escapes ([`safe`]) and measures the escaped text: a
//! hostile name can neither drive the terminal nor break the layout.

use entrepot_core::text::{escape_controls, escape_controls_keep_layout};
use std::borrow::Cow;

/// Text as the terminal shows it: control characters (ESC, BEL, NUL, newlines, …)
/// replaced with visible escapes (`\e`, `\u{07}`, `\0`, `\n`). Escaped text is
/// returned unchanged, so applying it twice is harmless.
pub(crate) fn safe(s: &str) -> Cow<'_, str> {
    escape_controls(s)
}

/// Display width of a string once its control characters are escaped (the
/// renderers only use single-width characters).
pub(crate) fn width(s: &str) -> usize {
    safe(s).chars().count()
}

/// `s` escaped and padded with spaces to `width` columns.
pub(crate) fn pad_right(s: &str, width: usize) -> String {
    let s = safe(s);
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(width.saturating_sub(n)))
}

/// Wraps `text` to `width` columns; continuation lines start with `indent` spaces.
/// Words longer than a line (URLs) are cut. Newlines and tabs in `text` count as
/// spaces; other control characters are escaped before the text is measured.
pub(crate) fn wrap(text: &str, width: usize, first_prefix: &str, indent: usize) -> Vec<String> {
    let text = escape_controls_keep_layout(text);
    let mut lines = Vec::new();
    let mut cur = safe(first_prefix).into_owned();
    let pad = " ".repeat(indent);
    let mut cur_has_word = false;
    for word in text.split_whitespace() {
        let sep = if cur_has_word { 1 } else { 0 };
        if cur_has_word && self::width(&cur) + sep + self::width(word) > width {
            lines.push(cur);
            cur = pad.clone();
            cur_has_word = false;
        }
        if cur_has_word {
            cur.push(' ');
        }
        let mut w = word.to_string();
        // cut words that cannot fit on a line of their own
        while self::width(&cur) + self::width(&w) > width {
            let room = width.saturating_sub(self::width(&cur)).max(1);
            let head: String = w.chars().take(room).collect();
            let tail: String = w.chars().skip(room).collect();
            cur.push_str(&head);
            lines.push(cur);
            cur = pad.clone();
            w = tail;
        }
        cur.push_str(&w);
        cur_has_word = true;
    }
    if cur_has_word || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Cuts `text` (escaped) into lines of at most `width` columns without looking for
/// spaces: the first line starts with `first_prefix`, the others with `indent`
/// spaces. For URLs, which are cut rather than moved to a line of their own.
pub(crate) fn cut(text: &str, width: usize, first_prefix: &str, indent: usize) -> Vec<String> {
    let mut rest: Vec<char> = safe(text).chars().collect();
    let mut line = safe(first_prefix).into_owned();
    let mut lines = Vec::new();
    loop {
        let room = width.saturating_sub(self::width(&line)).max(1);
        let take = room.min(rest.len());
        line.extend(rest.drain(..take));
        lines.push(line);
        if rest.is_empty() {
            return lines;
        }
        line = " ".repeat(indent);
    }
}

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// A table of text cells laid out to a maximum width; the first column is truncated
/// when the table would be too wide.
pub(crate) struct TextTable {
    pub headers: Vec<String>,
    pub align: Vec<Align>,
    pub rows: Vec<Vec<String>>,
}

impl TextTable {
    /// The table as lines of at most `max_width` columns; every cell is escaped
    /// ([`safe`]) before it is measured.
    pub fn render(&self, max_width: usize) -> Vec<String> {
        let escape_row =
            |r: &[String]| -> Vec<String> { r.iter().map(|c| safe(c).into_owned()).collect() };
        let headers = escape_row(&self.headers);
        let rows: Vec<Vec<String>> = self.rows.iter().map(|r| escape_row(r)).collect();
        let n = headers.len();
        let mut w: Vec<usize> = headers.iter().map(|h| width(h)).collect();
        for r in &rows {
            for (i, c) in r.iter().enumerate().take(n) {
                w[i] = w[i].max(width(c));
            }
        }
        let mut sep = 2;
        let mut total: usize = w.iter().sum::<usize>() + sep * (n.saturating_sub(1));
        if total > max_width {
            sep = 1;
            total = w.iter().sum::<usize>() + sep * (n.saturating_sub(1));
        }
        if total > max_width {
            let over = total - max_width;
            w[0] = w[0].saturating_sub(over).max(8);
        }
        let fmt_row = |cells: &[String]| -> String {
            let mut s = String::new();
            for (i, wi) in w.iter().enumerate() {
                let c = cells.get(i).map(String::as_str).unwrap_or("");
                let c = if width(c) > *wi {
                    let t: String = c.chars().take(wi.saturating_sub(1)).collect();
                    format!("{t}~")
                } else {
                    c.to_string()
                };
                let padn = wi - width(&c);
                if i > 0 {
                    s.push_str(&" ".repeat(sep));
                }
                match self.align.get(i).copied().unwrap_or(Align::Left) {
                    Align::Left => {
                        s.push_str(&c);
                        s.push_str(&" ".repeat(padn));
                    }
                    Align::Right => {
                        s.push_str(&" ".repeat(padn));
                        s.push_str(&c);
                    }
                }
            }
            s.trim_end().to_string()
        };
        let mut out = vec![fmt_row(&headers)];
        let rule: usize = w.iter().sum::<usize>() + sep * (n.saturating_sub(1));
        out.push("-".repeat(rule.min(max_width)));
        for r in &rows {
            out.push(fmt_row(r));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_and_cuts() {
        let l = wrap("aaa bbb ccc", 7, "", 2);
        assert_eq!(l, vec!["aaa bbb", "  ccc"]);
        let l = wrap("https://example.com/a/very/long/url", 10, "", 2);
        assert!(l.iter().all(|x| width(x) <= 10), "{l:?}");
        assert_eq!(
            l.concat().replace(' ', ""),
            "https://example.com/a/very/long/url"
        );
    }

    #[test]
    fn table_fits() {
        let t = TextTable {
            headers: vec!["name".into(), "v".into()],
            align: vec![Align::Left, Align::Right],
            rows: vec![vec!["a very long partner name indeed".into(), "1.0".into()]],
        };
        let l = t.render(20);
        assert!(l.iter().all(|x| width(x) <= 20), "{l:?}");
    }

    #[test]
    fn layout_escapes_controls_and_measures_the_escaped_text() {
        let hostile = "A\u{1b}[31mB\u{7}C\0D";
        let t = TextTable {
            headers: vec![hostile.into(), "v".into()],
            align: vec![Align::Left, Align::Right],
            rows: vec![vec![hostile.repeat(4), "1.0".into()]],
        };
        let lines = t.render(30);
        assert!(lines.iter().all(|x| x.chars().count() <= 30), "{lines:?}");
        for l in wrap(&hostile.repeat(5), 20, "- ", 2)
            .into_iter()
            .chain(cut(hostile, 8, "[P1] ", 5))
            .chain(lines)
        {
            assert!(!l.chars().any(char::is_control), "{l:?}");
            assert!(l.chars().count() <= 30, "{l:?}");
        }
        assert_eq!(wrap("a\nb\tc", 20, "", 0), vec!["a b c"]);
        assert_eq!(pad_right("x\u{7}", 9), "x\\u{07}  ");
    }
}
