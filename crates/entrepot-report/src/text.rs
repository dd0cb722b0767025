//! Plain-text layout helpers: word wrapping and column tables that fit a width.

/// Display width of a string (the renderers only use single-width characters).
pub(crate) fn width(s: &str) -> usize {
    s.chars().count()
}

/// Wraps `text` to `width` columns; continuation lines start with `indent` spaces.
/// Words longer than a line (URLs) are cut.
pub(crate) fn wrap(text: &str, width: usize, first_prefix: &str, indent: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = first_prefix.to_string();
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
    pub fn render(&self, max_width: usize) -> Vec<String> {
        let n = self.headers.len();
        let mut w: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for r in &self.rows {
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
        let mut out = vec![fmt_row(&self.headers)];
        let rule: usize = w.iter().sum::<usize>() + sep * (n.saturating_sub(1));
        out.push("-".repeat(rule.min(max_width)));
        for r in &self.rows {
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
}
