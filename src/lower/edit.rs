//! Editing a text file in place, line by line: shared by `files.line`, `files.block` and
//! `files.replace`.
//!
//! On the host, the runtime library's `k_edit` reads the file and computes its desired
//! content with a fixed awk program (`k_line`, `k_block`, `k_replace` in `emit/lib.sh`;
//! the programs live in the library, not in each step, so a script carries them once
//! rather than three times per op). Every user value reaches awk through the environment
//! (`ENVIRON`), never as program text nor through `-v` (which would interpret
//! backslashes); here we only build the call's arguments. The same call is the step's probe
//! (`k_edit ok`: awk exits 0 when nothing would change), its act (`k_edit act`: the new
//! content goes to a private file, then `k_write` renames it over the old one, keeping its
//! mode and owner) and its diff (`k_edit diff`: a unified diff to the new content).
//!
//! Lines are matched without their line ending: a `\r` before the `\n` belongs to the
//! ending, so `$` works in CRLF files. Lines kiln writes end like the file's first line
//! (`\r\n` or `\n`); a replaced line keeps its own ending; lines it does not touch keep
//! their bytes. A last line without a newline gets one only when something is written
//! after it (never glued onto), and a line kiln writes always ends with one. A symbolic
//! link is followed and its target edited (as Ansible does), so a linked file stays linked.
//!
//! POSIX awk has no capture groups, so back-references (`files.line`'s `backrefs`, and
//! `files.replace`) go through `sed -E`, whose `s` command has them: each line (without
//! its `\r`) is piped through a `sed` script built here, and awk reads what `sed` made of
//! it. The script is a value (one quoted word), never shell code. Both tools run with
//! `LC_ALL=C`, so the edit is byte-exact whatever the host's locale: a regex's `.` matches
//! one byte, and `ignore_case` folds ASCII letters only.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::ops::args::OpArgs;
use crate::shell::Sh;

use super::Step;
use super::attrs::Attrs;

/// What a missing file means to an edit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    /// An empty file, created only if the edit adds something to it.
    Empty,
    /// An error.
    Fail,
    /// An error whose message points at `create = true`.
    FailCreate,
}

impl Missing {
    fn word(self) -> &'static str {
        match self {
            Missing::Empty => "empty",
            Missing::Fail => "fail",
            Missing::FailCreate => "fail-create",
        }
    }
}

/// An edit of the file at `path`.
pub struct Edit<'a> {
    pub path: &'a str,
    pub missing: Missing,
    pub attrs: Attrs,
    pub backup: bool,
    /// The library call printing the desired content: `k_line ...`, `k_block ...` or
    /// `k_replace ...`.
    pub call: Sh,
}

/// The step: probe, act and diff are the same `k_edit` call with another verb.
pub fn edit_step(edit: &Edit) -> Step {
    let mut step = Step {
        verify: true,
        ..Step::default()
    };
    for (sh, verb) in [
        (&mut step.probe, "k_edit ok "),
        (&mut step.act, "k_edit act "),
        (&mut step.diff, "k_edit diff "),
    ] {
        sh.code(verb)
            .arg(edit.path)
            .code(" ")
            .code(edit.missing.word())
            .code(" ");
        edit.attrs.args(sh);
        sh.code(if edit.backup { " 1 " } else { " 0 " })
            .push(&edit.call);
    }
    step
}

/// Where new text goes when nothing in the file says where: the `WHERE ANCHOR` arguments of
/// `k_line` and `k_block`, from `insert_after` / `insert_before` (`BOF` and `EOF` are the
/// start and the end of the file for both; the default is the end).
pub fn insert_at<'a>(insert_after: &'a str, insert_before: &'a str) -> (&'static str, &'a str) {
    match (insert_after, insert_before) {
        ("BOF", _) | (_, "BOF") => ("bof", ""),
        ("EOF", _) | (_, "EOF") | ("", "") => ("eof", ""),
        (after, "") => ("after", after),
        (_, before) => ("before", before),
    }
}

/// A `1`/`0` word for a flag.
pub fn flag(sh: &mut Sh, value: bool) -> &mut Sh {
    sh.code(if value { "1" } else { "0" })
}

// --- sed scripts -------------------------------------------------------------------------

/// `s/REGEXP/REPLACEMENT/g` for `sed -E`, with `replacement` in kiln's syntax (see
/// [`parse_replacement`]); `None` when no delimiter is free (every candidate is used).
pub fn sed_substitute(regexp: &str, replacement: &str) -> Option<String> {
    let d = delimiter(&[regexp, replacement])?;
    Some(format!(
        "s{d}{regexp}{d}{}{d}g",
        sed_replacement(replacement)
    ))
}

/// A `sed -E` script that prints, for a line `regexp` matches, `Y` and `line` with its
/// back-references expanded from the first match; for any other line `N` and the line.
///
/// The `s` command puts the expansion alone on the middle one of three lines (POSIX `sed`
/// splits a line at an escaped newline in the replacement); the second `s` keeps just that.
pub fn sed_expand(regexp: &str, line: &str) -> Option<String> {
    let d = delimiter(&[regexp, line])?;
    Some(format!(
        "s{d}{regexp}{d}\\\n{}\\\n{d}\nt y\ns/^/N/\nb\n:y\ns/^.*\\n(.*)\\n.*$/Y\\1/",
        sed_replacement(line)
    ))
}

/// A character that appears in none of `parts`, to delimit a `sed` `s` command.
fn delimiter(parts: &[&str]) -> Option<char> {
    "/|#,@!%:;~=_"
        .chars()
        .chain((1u8..32).filter(|b| *b != b'\n').map(char::from))
        .find(|c| parts.iter().all(|p| !p.contains(*c)))
}

/// One piece of a replacement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece {
    Char(char),
    /// `\0` (the whole match) to `\9`, or `\g<N>` (Python's spelling, as Ansible's users
    /// write it).
    Group(u32),
}

/// Parses a replacement: `\0`..`\9` and `\g<N>` are groups, `\\` is one backslash, and any
/// other backslash is itself. Everything else (`&`, `$`, `%`, quotes) is literal.
pub fn parse_replacement(text: &str) -> Vec<Piece> {
    let chars: Vec<char> = text.chars().collect();
    let mut pieces = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            match chars.get(i + 1) {
                Some(d) if d.is_ascii_digit() => {
                    pieces.push(Piece::Group(d.to_digit(10).unwrap_or(0)));
                    i += 2;
                    continue;
                }
                Some('\\') => {
                    pieces.push(Piece::Char('\\'));
                    i += 2;
                    continue;
                }
                Some('g') if chars.get(i + 2) == Some(&'<') => {
                    let digits: String = chars[i + 3..]
                        .iter()
                        .take_while(|c| c.is_ascii_digit())
                        .collect();
                    let close = i + 3 + digits.len();
                    if !digits.is_empty()
                        && chars.get(close) == Some(&'>')
                        && let Ok(n) = digits.parse()
                    {
                        pieces.push(Piece::Group(n));
                        i = close + 1;
                        continue;
                    }
                }
                _ => {}
            }
        }
        pieces.push(Piece::Char(c));
        i += 1;
    }
    pieces
}

/// A replacement in kiln's syntax as `sed` writes it.
fn sed_replacement(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for piece in parse_replacement(text) {
        match piece {
            Piece::Group(0) => out.push('&'),
            Piece::Group(n) => out.push_str(&format!("\\{n}")),
            Piece::Char(c @ ('\\' | '&')) => {
                out.push('\\');
                out.push(c);
            }
            Piece::Char(c) => out.push(c),
        }
    }
    out
}

// --- regular expressions -------------------------------------------------------------------

/// The number of groups (`(`) in a POSIX ERE.
pub fn group_count(regexp: &str) -> u32 {
    let chars: Vec<char> = regexp.chars().collect();
    let mut count = 0;
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '[' => i = bracket(&chars, i).1,
            '(' => {
                count += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    count
}

/// `regexp` matching ASCII letters of either case: a letter outside a bracket expression
/// becomes `[xX]`, and a bracket expression also gets the other case of its letters,
/// ranges and `[:upper:]` / `[:lower:]` classes. (Portable: `sed`'s `I` flag is GNU only.)
pub fn fold_case(regexp: &str) -> String {
    let chars: Vec<char> = regexp.chars().collect();
    let mut out = String::with_capacity(regexp.len() * 2);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                out.extend(chars[i..(i + 2).min(chars.len())].iter());
                i += 2;
            }
            '[' => {
                let (text, next) = bracket(&chars, i);
                out.push_str(&text);
                i = next;
            }
            c if c.is_ascii_alphabetic() => {
                out.extend(['[', c, swap_case(c), ']']);
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn swap_case(c: char) -> char {
    if c.is_ascii_lowercase() {
        c.to_ascii_uppercase()
    } else {
        c.to_ascii_lowercase()
    }
}

/// The bracket expression starting at `chars[start]` (a `[`) with its letters case-folded,
/// and the index just after it. An unterminated one (refused by `check`) is kept as is.
fn bracket(chars: &[char], start: usize) -> (String, usize) {
    let mut i = start + 1;
    let negate = chars.get(i) == Some(&'^');
    if negate {
        i += 1;
    }
    let mut items = String::new();
    let mut dash = false;
    let mut added: Vec<char> = Vec::new();
    let mut first = true;
    loop {
        let Some(&c) = chars.get(i) else {
            return (chars[start..].iter().collect(), chars.len());
        };
        if c == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        if c == '[' && matches!(chars.get(i + 1), Some(':' | '=' | '.')) {
            let kind = chars[i + 1];
            let Some(end) = (i + 2..chars.len().saturating_sub(1))
                .find(|&j| chars[j] == kind && chars[j + 1] == ']')
            else {
                return (chars[start..].iter().collect(), chars.len());
            };
            let name: String = chars[i + 2..end].iter().collect();
            match (kind, name.as_str()) {
                (':', "upper") => items.push_str("[:lower:]"),
                (':', "lower") => items.push_str("[:upper:]"),
                _ => {}
            }
            items.extend(chars[i..end + 2].iter());
            i = end + 2;
            continue;
        }
        if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|d| *d != ']') {
            let (low, high) = (c, chars[i + 2]);
            items.extend([low, '-', high]);
            for letter in ('A'..='Z').chain('a'..='z') {
                let other = swap_case(letter);
                if (low..=high).contains(&letter) && !(low..=high).contains(&other) {
                    added.push(other);
                }
            }
            i += 3;
            continue;
        }
        if c == '-' {
            dash = true;
        } else {
            items.push(c);
            if c.is_ascii_alphabetic() {
                added.push(swap_case(c));
            }
        }
        i += 1;
    }
    added.sort_unstable();
    added.dedup();
    let mut out = String::from("[");
    if negate {
        out.push('^');
    }
    out.push_str(&items);
    // Runs of three or more letters are written as ranges.
    let mut k = 0;
    while k < added.len() {
        let mut end = k;
        while end + 1 < added.len() && added[end + 1] as u32 == added[end] as u32 + 1 {
            end += 1;
        }
        if end - k >= 2 {
            out.extend([added[k], '-', added[end]]);
        } else {
            out.extend(&added[k..=end]);
        }
        k = end + 1;
    }
    if dash {
        out.push('-');
    }
    out.push(']');
    (out, i)
}

// --- checks ---------------------------------------------------------------------------------

/// Argument values as `validate` sees them: before rendering (`rendered` false) a templated
/// value is skipped, to be checked once rendered (at lowering, `rendered` true).
pub struct Values<'a> {
    pub args: &'a OpArgs,
    pub rendered: bool,
}

impl<'a> Values<'a> {
    /// The string value of `name`, unless it is an unrendered template.
    pub fn get(&self, name: &str) -> Option<(&'a str, crate::source::Span)> {
        let value = self.args.get(name)?;
        let text = value.value.as_str()?;
        if !self.rendered && crate::check::templates::is_template(text) {
            return None;
        }
        Some((text, value.span))
    }
}

/// `name`'s value must not contain a line break (`what` says why) nor a NUL byte.
pub fn single_line(values: &Values, name: &str, what: &str, diagnostics: &mut Diagnostics) {
    let Some((text, span)) = values.get(name) else {
        return;
    };
    if text.contains('\n') || text.contains('\r') {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                span,
                format!("`{name}` contains a line break"),
            )
            .label(what.to_owned()),
        );
    } else {
        no_nul(name, text, span, diagnostics);
    }
}

/// A NUL byte cannot reach the host (environment strings end at one).
pub fn no_nul(name: &str, text: &str, span: crate::source::Span, diagnostics: &mut Diagnostics) {
    if text.contains('\0') {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                span,
                format!("`{name}` contains a NUL byte"),
            )
            .label("text files cannot hold one"),
        );
    }
}

/// Every group the replacement `name` refers to must exist in the regex `regexp`.
pub fn references(values: &Values, name: &str, regexp: &str, diagnostics: &mut Diagnostics) {
    let (Some((text, span)), Some((re, _))) = (values.get(name), values.get(regexp)) else {
        return;
    };
    let groups = group_count(re);
    let Some(n) = parse_replacement(text).into_iter().find_map(|p| match p {
        Piece::Group(n) if n > groups => Some(n),
        _ => None,
    }) else {
        return;
    };
    let has = match groups {
        0 => "no groups".to_owned(),
        1 => "1 group".to_owned(),
        n => format!("{n} groups"),
    };
    diagnostics.push(
        Diagnostic::new(
            Code::InvalidValue,
            span,
            format!("`{name}` refers to group {n}, but `{regexp}` has {has}"),
        )
        .label(format!("`\\{n}` has nothing to insert"))
        .help(format!(
            "`\\1` to `\\9` insert what the `(...)` groups of `{regexp}` matched, `\\0` the whole match; write `\\\\` for a backslash"
        )),
    );
}

/// At lowering: runs `check` on the rendered arguments and fails with its first error.
pub fn recheck(args: &OpArgs, check: fn(&Values, &mut Diagnostics)) -> Result<(), Diagnostic> {
    let mut diagnostics = Diagnostics::default();
    check(
        &Values {
            args,
            rendered: true,
        },
        &mut diagnostics,
    );
    match diagnostics.sorted().into_iter().next() {
        Some(first) => Err(first),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacements() {
        assert_eq!(sed_replacement(r"\1-\0 & \\ \x %"), r"\1-& \& \\ \\x %");
        assert_eq!(sed_replacement(r"\g<2>0 \g<x>"), r"\20 \\g<x>");
        assert_eq!(sed_replacement("trailing \\"), "trailing \\\\");
        assert_eq!(
            parse_replacement(r"a\12"),
            vec![Piece::Char('a'), Piece::Group(1), Piece::Char('2')]
        );
    }

    #[test]
    fn scripts() {
        assert_eq!(sed_substitute("a/b", "x").unwrap(), "s|a/b|x|g");
        assert_eq!(
            sed_expand("^(x)=", r"\1").unwrap(),
            "s/^(x)=/\\\n\\1\\\n/\nt y\ns/^/N/\nb\n:y\ns/^.*\\n(.*)\\n.*$/Y\\1/"
        );
        assert_eq!(delimiter(&["/|#,@!%:;~=_"]), Some('\u{1}'));
    }

    #[test]
    fn groups() {
        assert_eq!(group_count(r"^(a)(b(c))\(x[(]"), 3);
        assert_eq!(group_count("[]()]"), 0);
    }

    #[test]
    fn case_folding() {
        assert_eq!(fold_case("ab1"), "[aA][bB]1");
        assert_eq!(fold_case(r"\.x{2}\t"), r"\.[xX]{2}\t");
        assert_eq!(fold_case("[a-z_]"), "[a-z_A-Z]");
        assert_eq!(fold_case("[^a-c-]"), "[^a-cA-C-]");
        assert_eq!(fold_case("[]ab]"), "[]abAB]");
        assert_eq!(fold_case("[[:upper:]]x"), "[[:lower:][:upper:]][xX]");
        assert_eq!(fold_case("[0-Z]"), "[0-Za-z]");
        assert_eq!(fold_case("[A-z]"), "[A-z]");
        assert_eq!(fold_case("[a"), "[a");
    }

    #[test]
    fn insertion_points() {
        assert_eq!(insert_at("", ""), ("eof", ""));
        assert_eq!(insert_at("EOF", ""), ("eof", ""));
        assert_eq!(insert_at("", "BOF"), ("bof", ""));
        assert_eq!(insert_at("^a", ""), ("after", "^a"));
        assert_eq!(insert_at("", "^b"), ("before", "^b"));
    }
}
