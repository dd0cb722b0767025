//! Safe display of text that came from data: control bytes escaped, long values cut.
//!
//! Every value that a file, a manifest or a user supplied may hold terminal escape
//! sequences (ESC, BEL), NUL bytes or megabytes of text. Error messages and terminal
//! output pass such text through [`display_value`] (escape and truncate) or
//! [`escape_controls`] (escape only), so a hostile file can neither drive the
//! terminal nor flood standard error.

use std::borrow::Cow;

/// The most characters of one data value echoed in a message.
pub const MAX_ECHO_CHARS: usize = 80;

/// Whether `c` must not reach a terminal raw: control characters (C0, DEL, C1) and
/// the bidirectional formatting characters that reorder what a reader sees
/// (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069).
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// Replaces control characters (C0, DEL and C1; tab and newline included) and
/// bidirectional formatting characters with visible escapes: `\t`, `\n`, `\r`,
/// `\0`, `\e` and `\u{XX}` for the rest. Text without them is returned as it is,
/// without copying.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// Like [`escape_controls`] but keeps newlines and tabs (for multi-line messages
/// whose layout the program wrote itself).
pub fn escape_controls_keep_layout(s: &str) -> Cow<'_, str> {
    if !s
        .chars()
        .any(|c| is_unsafe_char(c) && c != '\n' && c != '\t')
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c == '\n' || c == '\t' {
            out.push(c);
        } else {
            push_escaped(&mut out, c);
        }
    }
    Cow::Owned(out)
}

fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write as _;
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\0' => out.push_str("\\0"),
        '\u{1b}' => out.push_str("\\e"),
        c if is_unsafe_char(c) => {
            let _ = write!(out, "\\u{{{:02X}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// A data value as echoed in a message: control characters escaped and at most
/// `max_chars` characters kept, with the number of characters cut said at the end
/// (`…(+1,234,567 chars)`).
pub fn truncate_value(s: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    for c in chars.by_ref().take(max_chars) {
        push_escaped(&mut out, c);
    }
    let rest = chars.count();
    if rest > 0 {
        out.push_str(&format!("…(+{rest} chars)"));
    }
    out
}

/// [`truncate_value`] with [`MAX_ECHO_CHARS`].
pub fn display_value(s: &str) -> String {
    truncate_value(s, MAX_ECHO_CHARS)
}

/// A name folded for comparison: lower case, accents and ligatures of Latin letters
/// removed (`Türkiye` → `turkiye`, `Côte d’Ivoire` → `cote divoire`), apostrophes
/// dropped, every other run of non-alphanumeric characters one space, trimmed.
pub fn fold_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if matches!(c, '\'' | '’' | '‘' | '`' | 'ʼ') {
            continue;
        }
        let folded = fold_char(c);
        for f in folded.chars() {
            if f.is_alphanumeric() {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.extend(f.to_lowercase());
            } else {
                space = true;
            }
        }
    }
    out
}

/// The unaccented form of a Latin letter (`é` → `e`, `ß` → `ss`); other characters
/// as they are.
fn fold_char(c: char) -> Cow<'static, str> {
    let s = match c {
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "A",
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'Æ' => "AE",
        'æ' => "ae",
        'Ç' | 'Ć' | 'Č' => "C",
        'ç' | 'ć' | 'č' => "c",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ę' | 'Ě' => "E",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' => "I",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => "i",
        'Ñ' | 'Ń' | 'Ň' => "N",
        'ñ' | 'ń' | 'ň' => "n",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ő' => "O",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'Œ' => "OE",
        'œ' => "oe",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' => "U",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'Ý' | 'Ÿ' => "Y",
        'ý' | 'ÿ' => "y",
        'Š' | 'Ś' | 'Ş' => "S",
        'š' | 'ś' | 'ş' => "s",
        'Ž' | 'Ź' | 'Ż' => "Z",
        'ž' | 'ź' | 'ż' => "z",
        'Ł' => "L",
        'ł' => "l",
        'Ğ' => "G",
        'ğ' => "g",
        'Ř' => "R",
        'ř' => "r",
        'Ţ' | 'Ț' | 'Ť' => "T",
        'ţ' | 'ț' | 'ť' => "t",
        'ß' => "ss",
        '&' => " and ",
        _ => return Cow::Owned(c.to_string()),
    };
    Cow::Borrowed(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_case_accents_and_punctuation() {
        assert_eq!(fold_name("Türkiye"), "turkiye");
        assert_eq!(fold_name("Côte d’Ivoire"), "cote divoire");
        assert_eq!(fold_name("  Congo - Kinshasa "), "congo kinshasa");
        assert_eq!(fold_name("St. Kitts & Nevis"), "st kitts and nevis");
        assert_eq!(fold_name("Lithium-ion"), "lithium ion");
        assert_eq!(fold_name("Åland"), "aland");
        assert_eq!(fold_name(""), "");
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(escape_controls("CHN 2025-11"), Cow::Borrowed(_)));
    }

    #[test]
    fn terminal_escapes_are_made_visible() {
        assert_eq!(
            escape_controls("a\u{1b}[31mb\u{7}\0"),
            "a\\e[31mb\\u{07}\\0"
        );
        assert_eq!(escape_controls("x\u{9b}y"), "x\\u{9B}y");
        assert_eq!(escape_controls_keep_layout("a\n\tb\u{1b}"), "a\n\tb\\e");
        assert_eq!(escape_controls("abc\u{202E}fed"), "abc\\u{202E}fed");
    }

    #[test]
    fn long_values_are_cut_with_a_count() {
        let long = "A".repeat(10_000_000);
        let shown = display_value(&long);
        assert!(shown.starts_with(&"A".repeat(MAX_ECHO_CHARS)));
        assert!(shown.ends_with("…(+9999920 chars)"), "{shown}");
        assert!(shown.len() < 120);
        assert_eq!(display_value("CHN"), "CHN");
    }
}
