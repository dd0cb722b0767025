//! How text that came from data is made safe in each output format.
//!
//! Every string of a [`Document`](entrepot_doc::Document) may come from a file
//! someone else wrote: country and dataset names, labels, notes, source URLs,
//! facts-file names, section and chart ids. (Source ids are typed: `P3` or `C2`,
//! nothing else, so they are printed as they are.) Such text may hold terminal escape sequences (ESC, BEL), NUL bytes, HTML
//! (`"><script>`), Markdown syntax, spreadsheet formulas or a `javascript:` URL. Each
//! renderer passes it through the one function here for its format:
//!
//! * terminal: [`entrepot_core::text::escape_controls`], applied by the layout code in
//!   [`crate::text`] and by the terminal renderer's line writer, so no field can skip it;
//! * HTML and SVG: [`html`] (control characters made visible, `& < > " '` as entities);
//! * Markdown: [`markdown`] (control characters made visible, Markdown and HTML syntax
//!   escaped, newlines as spaces);
//! * CSV: [`csv_cell`] (control characters made visible, formula-like cells prefixed
//!   with `'`, quoted as RFC 4180 requires);
//! * LaTeX: [`latex`] (control characters made visible, special characters escaped);
//! * links: [`link_target`], the only way a URL becomes a link (`href`, `<url>`), and
//!   [`anchor`], the only way a section, table or chart id becomes an HTML `id`.

use entrepot_core::text::{escape_controls, escape_controls_keep_layout};

/// Text for HTML or SVG content and quoted attribute values: control characters
/// other than newline and tab shown as visible escapes (`\e`, `\0`, …), and `&`, `<`,
/// `>`, `"` and `'` as character references.
pub(crate) fn html(s: &str) -> String {
    let s = escape_controls_keep_layout(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text for a Markdown paragraph, list item or table cell: newlines as spaces, other
/// control characters shown as visible escapes, `&`, `<` and `>` as character
/// references (so no HTML or autolink can start), and the Markdown punctuation that
/// could start emphasis, code, a link, a heading or a table column (`\` `` ` `` `*`
/// `_` `[` `]` `|` `#` `!`) escaped with a backslash.
pub(crate) fn markdown(s: &str) -> String {
    let flat: String = s
        .chars()
        .map(|c| if matches!(c, '\n' | '\r') { ' ' } else { c })
        .collect();
    let s = escape_controls(&flat);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// One CSV field: control characters shown as visible escapes (so every record is one
/// line), a field that a spreadsheet would read as a formula (it starts with `=`, `+`,
/// `-` or `@` and is not a number) prefixed with `'`, and the field quoted when it
/// holds a comma or a quote.
pub(crate) fn csv_cell(s: &str) -> String {
    let s = escape_controls(s);
    let s = if s.starts_with(['=', '+', '-', '@']) && !is_number(&s) {
        format!("'{s}")
    } else {
        s.into_owned()
    };
    if s.contains([',', '"']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Text for LaTeX: control characters shown as visible escapes, then the characters
/// LaTeX reads as commands (`\ { } $ & # ^ _ % ~`) escaped.
pub(crate) fn latex(s: &str) -> String {
    let s = escape_controls(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '_' | '&' | '%' | '$' | '#' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '^' => out.push_str("\\textasciicircum{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            '\\' => out.push_str("\\textbackslash{}"),
            c => out.push(c),
        }
    }
    out
}

/// Whether `s` is a plain decimal number: an optional sign, digits with at most one
/// decimal point, and an optional exponent (`-4.34`, `+1e9`). `inf` and `NaN` are not.
fn is_number(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = !(int.is_empty() && frac.is_empty()) && digits(int) && digits(frac);
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// The URL if it may be emitted as a link: a well-formed `http://` or `https://` URL
/// with a host, and without quotes, angle brackets, backticks, backslashes,
/// whitespace or control characters anywhere, nor user information (`user@`) before
/// the host. Anything else (a `javascript:` URL, a URL carrying markup) is `None`
/// and is shown as escaped text instead.
pub(crate) fn link_target(url: &str) -> Option<&str> {
    let rest = strip_prefix_ignore_case(url, "https://")
        .or_else(|| strip_prefix_ignore_case(url, "http://"))?;
    let forbidden = |c: char| {
        c.is_whitespace()
            || c.is_control()
            || matches!(
                c,
                '"' | '\'' | '<' | '>' | '`' | '\\' | '{' | '}' | '|' | '^'
            )
    };
    if url.chars().any(forbidden) {
        return None;
    }
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..host_end];
    let host_ok = !authority.is_empty()
        && !authority.starts_with(['.', ':', '-'])
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    host_ok.then_some(url)
}

/// The marker id if it may be an HTML `id` and a `#fragment`: 1 to 64 ASCII letters,
/// digits, `-` or `_` (`P3`, `C12`). Other ids are shown as text, without an anchor.
pub(crate) fn anchor(id: &str) -> Option<&str> {
    let ok = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(id)
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_makes_controls_visible() {
        assert_eq!(
            html("\"><script>alert('x')</script>&"),
            "&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"
        );
        assert_eq!(html("a\u{1b}[31mb\u{7}\0"), "a\\e[31mb\\u{07}\\0");
        assert_eq!(html("line\nnext"), "line\nnext");
    }

    #[test]
    fn markdown_escapes_syntax_and_flattens_lines() {
        assert_eq!(markdown("a|b\nc"), "a\\|b c");
        assert_eq!(
            markdown("<script>*x* _y_ `z` [l](u) \\ # !&"),
            "&lt;script&gt;\\*x\\* \\_y\\_ \\`z\\` \\[l\\](u) \\\\ \\# \\!&amp;"
        );
        // the backslash of a visible control escape is itself escaped
        assert_eq!(markdown("\u{1b}[31m"), "\\\\e\\[31m");
    }

    #[test]
    fn csv_cells_neutralise_formulas_but_keep_numbers() {
        assert_eq!(csv_cell("-4.34"), "-4.34");
        assert_eq!(csv_cell("+1e9"), "+1e9");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+cmd"), "'+cmd");
        assert_eq!(csv_cell("-inf"), "'-inf");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("-"), "'-");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("a\nb\u{1b}"), "a\\nb\\e");
        assert_eq!(csv_cell("China"), "China");
    }

    #[test]
    fn latex_escapes_commands_and_controls() {
        assert_eq!(
            latex("log(dist)_x & 5% ~ ^"),
            "log(dist)\\_x \\& 5\\% \\textasciitilde{} \\textasciicircum{}"
        );
        assert_eq!(
            latex("\\input{x}\u{1b}"),
            "\\textbackslash{}input\\{x\\}\\textbackslash{}e"
        );
    }

    #[test]
    fn only_plain_tokens_are_anchors() {
        assert_eq!(anchor("P3"), Some("P3"));
        assert_eq!(anchor("C12"), Some("C12"));
        for bad in ["", "P 3", "P3\"", "#x", "a<b", "\u{1b}", &"P".repeat(65)] {
            assert_eq!(anchor(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_well_formed_http_urls_are_links() {
        for ok in [
            "https://www.customs.gov.cn/a/b?x=1&y=2#frag",
            "http://example.com",
            "HTTPS://EXAMPLE.COM/x",
            "https://example.com:8443/x",
        ] {
            assert_eq!(link_target(ok), Some(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>",
            "https://x.example/\"><script>alert(1)</script>",
            "https://x.example/a b",
            "https://x.example/\u{1b}[31m",
            "https://x.example/a\\b",
            "https://x.example/'",
            "https://evil.example@good.example/",
            "https://",
            "https:///path",
            "//x.example/",
            "ftp://x.example/",
        ] {
            assert_eq!(link_target(bad), None, "{bad}");
        }
    }
}
