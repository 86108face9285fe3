//! `to_yaml` and `to_nice_yaml`, as Ansible writes YAML: PyYAML's emitter (keys sorted,
//! YAML 1.1's implicit types quoted, lines folded past 80 columns), `to_yaml` with
//! collections of scalars in flow style (`[a, b]`) and an indent of 2, `to_nice_yaml` all
//! in block style with an indent of 4.
//!
//! This is a port of the parts of PyYAML's `Emitter` that plain data reaches (its
//! `analyze_scalar`, `choose_scalar_style`, `write_plain`, `write_single_quoted`, the
//! block and flow collections), so the output is PyYAML's byte for byte. A string PyYAML
//! would write double-quoted (one with control characters or tabs, or a line break next to
//! a space) is refused rather than written otherwise, as is a key that is not a short
//! one-line string.

use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error};
use serde_json::Value as Json;

use super::data::json;
use super::invalid;

pub(super) fn add(env: &mut Environment<'static>) {
    env.add_filter("to_yaml", |value: Value, kwargs: Kwargs| {
        let indent = kwargs.get::<Option<usize>>("indent")?.unwrap_or(2);
        kwargs.assert_all_used()?;
        dump(&json(&value)?, indent, true)
    });
    env.add_filter("to_nice_yaml", |value: Value, kwargs: Kwargs| {
        let indent = kwargs.get::<Option<usize>>("indent")?.unwrap_or(4);
        kwargs.assert_all_used()?;
        dump(&json(&value)?, indent, false)
    });
}

/// PyYAML's `best_width`: past this column, lines are folded where they can be.
const WIDTH: usize = 80;

/// `yaml.dump(value, indent=indent, default_flow_style=None if flow_leaves else False,
/// allow_unicode=True)`.
fn dump(value: &Json, indent: usize, flow_leaves: bool) -> Result<String, Error> {
    if !(2..=9).contains(&indent) {
        return Err(invalid("to_yaml: indent is 2 to 9, as PyYAML's"));
    }
    let mut emitter = Emitter {
        out: String::new(),
        column: 0,
        whitespace: true,
        indention: true,
        step: indent,
        flow_leaves,
    };
    emitter.node(value, None, Context::Root)?;
    // The document's end: a line break after the last node.
    emitter.write_indent(0);
    Ok(emitter.out)
}

/// Where a node stands, as PyYAML's emitter tracks it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Root,
    Sequence,
    Mapping,
    Key,
    Flow,
    FlowKey,
}

struct Emitter {
    out: String,
    column: usize,
    /// The last character written is white space (or nothing is written yet).
    whitespace: bool,
    /// Only indentation is written on this line so far.
    indention: bool,
    step: usize,
    flow_leaves: bool,
}

fn is_scalar(value: &Json) -> bool {
    !matches!(value, Json::Array(_) | Json::Object(_))
}

impl Emitter {
    fn node(&mut self, value: &Json, indent: Option<usize>, context: Context) -> Result<(), Error> {
        let in_flow = matches!(context, Context::Flow | Context::FlowKey);
        match value {
            Json::Array(items)
                if in_flow
                    || items.is_empty()
                    || (self.flow_leaves && items.iter().all(is_scalar)) =>
            {
                self.flow_sequence(items, indent)
            }
            Json::Object(map)
                if in_flow
                    || map.is_empty()
                    || (self.flow_leaves && map.values().all(is_scalar)) =>
            {
                self.flow_mapping(map, indent)
            }
            Json::Array(items) => self.block_sequence(items, indent, context == Context::Mapping),
            Json::Object(map) => self.block_mapping(map, indent),
            scalar => self.scalar(scalar, indent, context),
        }
    }

    /// PyYAML's `increase_indent`.
    fn deeper(&self, indent: Option<usize>, flow: bool, indentless: bool) -> usize {
        match indent {
            None if flow => self.step,
            None => 0,
            Some(indent) if indentless => indent,
            Some(indent) => indent + self.step,
        }
    }

    fn block_sequence(
        &mut self,
        items: &[Json],
        indent: Option<usize>,
        mapping: bool,
    ) -> Result<(), Error> {
        // A sequence that is a mapping's value starts at the key's column.
        let indent = self.deeper(indent, false, mapping && !self.indention);
        for item in items {
            self.write_indent(indent);
            self.indicator("-", true, false, true);
            self.node(item, Some(indent), Context::Sequence)?;
        }
        Ok(())
    }

    fn block_mapping(
        &mut self,
        map: &serde_json::Map<String, Json>,
        indent: Option<usize>,
    ) -> Result<(), Error> {
        let indent = self.deeper(indent, false, false);
        for (key, value) in sorted(map) {
            self.write_indent(indent);
            self.node(&Json::String(key.clone()), Some(indent), Context::Key)?;
            self.indicator(":", false, false, false);
            self.node(value, Some(indent), Context::Mapping)?;
        }
        Ok(())
    }

    fn flow_sequence(&mut self, items: &[Json], indent: Option<usize>) -> Result<(), Error> {
        self.indicator("[", true, true, false);
        let indent = self.deeper(indent, true, false);
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.indicator(",", false, false, false);
            }
            if self.column > WIDTH {
                self.write_indent(indent);
            }
            self.node(item, Some(indent), Context::Flow)?;
        }
        self.indicator("]", false, false, false);
        Ok(())
    }

    fn flow_mapping(
        &mut self,
        map: &serde_json::Map<String, Json>,
        indent: Option<usize>,
    ) -> Result<(), Error> {
        self.indicator("{", true, true, false);
        let indent = self.deeper(indent, true, false);
        for (i, (key, value)) in sorted(map).into_iter().enumerate() {
            if i > 0 {
                self.indicator(",", false, false, false);
            }
            if self.column > WIDTH {
                self.write_indent(indent);
            }
            self.node(&Json::String(key.clone()), Some(indent), Context::FlowKey)?;
            self.indicator(":", false, false, false);
            self.node(value, Some(indent), Context::Flow)?;
        }
        self.indicator("}", false, false, false);
        Ok(())
    }

    fn scalar(
        &mut self,
        value: &Json,
        indent: Option<usize>,
        context: Context,
    ) -> Result<(), Error> {
        let (text, string) = match value {
            Json::Null => ("null".to_owned(), false),
            Json::Bool(flag) => (flag.to_string(), false),
            Json::Number(number) => (number_text(number)?, false),
            Json::String(text) => (text.clone(), true),
            _ => unreachable!("collections are not scalars"),
        };
        let key = matches!(context, Context::Key | Context::FlowKey);
        let flow = matches!(context, Context::Flow | Context::FlowKey);
        let analysis = analyze(&text);
        if key && (text.is_empty() || analysis.multiline || text.chars().count() >= 128) {
            return Err(invalid(format!(
                "to_yaml: the key `{text}` is not a short one-line string, which kiln cannot write as PyYAML does"
            )));
        }
        // A string that reads back as another type (`yes`, `123`, ``) must be quoted.
        let plain = !string || resolves_to_string(&text);
        let plain_allowed = if flow {
            analysis.flow_plain
        } else {
            analysis.block_plain
        };
        // The indent of a folded scalar's next lines (PyYAML's flow increase for a scalar).
        let indent = self.deeper(indent, true, false);
        if plain && plain_allowed && !(key && analysis.multiline) {
            self.plain(&text, indent);
        } else if analysis.single_quoted {
            self.single_quoted(&text, indent);
        } else {
            return Err(invalid(format!(
                "to_yaml: PyYAML writes {text:?} double-quoted, which kiln does not yet do"
            )));
        }
        Ok(())
    }

    fn write(&mut self, text: &str) {
        self.column += text.chars().count();
        self.out.push_str(text);
    }

    /// PyYAML's `write_indicator`.
    fn indicator(&mut self, text: &str, need_whitespace: bool, whitespace: bool, indention: bool) {
        if !self.whitespace && need_whitespace {
            self.write(" ");
        }
        self.write(text);
        self.whitespace = whitespace;
        self.indention = self.indention && indention;
    }

    /// PyYAML's `write_indent`.
    fn write_indent(&mut self, indent: usize) {
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.line_break();
        }
        if self.column < indent {
            self.whitespace = true;
            let pad = " ".repeat(indent - self.column);
            self.write(&pad);
        }
    }

    fn line_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
        self.whitespace = true;
        self.indention = true;
    }

    /// PyYAML's `write_plain`: a single space past the width becomes a line break.
    fn plain(&mut self, text: &str, indent: usize) {
        if text.is_empty() {
            return;
        }
        if !self.whitespace {
            self.write(" ");
        }
        self.whitespace = false;
        self.indention = false;
        let chars: Vec<char> = text.chars().collect();
        let mut spaces = false;
        let mut start = 0;
        for end in 0..=chars.len() {
            let ch = chars.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end && self.column > WIDTH {
                        self.write_indent(indent);
                        self.whitespace = false;
                        self.indention = false;
                    } else {
                        self.write(&chars[start..end].iter().collect::<String>());
                    }
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ') {
                self.write(&chars[start..end].iter().collect::<String>());
                start = end;
            }
            spaces = ch == Some(' ');
        }
    }

    /// PyYAML's `write_single_quoted`: `'` doubled, a line break written twice (once for
    /// the first of a run), a single space past the width a line break.
    fn single_quoted(&mut self, text: &str, indent: usize) {
        self.indicator("'", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        let mut start = 0;
        for end in 0..=chars.len() {
            let ch = chars.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end && self.column > WIDTH && start != 0 && end != chars.len() {
                        self.write_indent(indent);
                    } else {
                        self.write(&chars[start..end].iter().collect::<String>());
                    }
                    start = end;
                }
            } else if breaks {
                if ch != Some('\n') {
                    if chars[start] == '\n' {
                        self.line_break();
                    }
                    for _ in start..end {
                        self.line_break();
                    }
                    self.write_indent(indent);
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || c == '\n' || c == '\'') && start < end {
                self.write(&chars[start..end].iter().collect::<String>());
                start = end;
            }
            if ch == Some('\'') {
                self.write("''");
                start = end + 1;
            }
            spaces = ch == Some(' ');
            breaks = ch == Some('\n');
        }
        self.indicator("'", false, false, false);
    }
}

fn sorted(map: &serde_json::Map<String, Json>) -> Vec<(&String, &Json)> {
    let mut entries: Vec<(&String, &Json)> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

/// A number as PyYAML writes it (Python's `repr`); floats PyYAML would write with an
/// exponent are refused.
fn number_text(number: &serde_json::Number) -> Result<String, Error> {
    if let Some(float) = number.as_f64().filter(|_| number.is_f64()) {
        let magnitude = float.abs();
        if magnitude != 0.0 && !(1e-4..1e16).contains(&magnitude) {
            return Err(invalid(format!(
                "to_yaml: kiln does not write {float} as Python would"
            )));
        }
        return Ok(if float.fract() == 0.0 {
            format!("{float:.1}")
        } else {
            float.to_string()
        });
    }
    Ok(number.to_string())
}

/// What PyYAML's `analyze_scalar` finds that decides a string's style.
struct Analysis {
    multiline: bool,
    flow_plain: bool,
    block_plain: bool,
    single_quoted: bool,
}

/// PyYAML's `analyze_scalar` (with `allow_unicode`).
fn analyze(text: &str) -> Analysis {
    if text.is_empty() {
        return Analysis {
            multiline: false,
            flow_plain: false,
            block_plain: true,
            single_quoted: true,
        };
    }
    let chars: Vec<char> = text.chars().collect();
    let is_space =
        |c: Option<&char>| c.is_none_or(|c| "\0 \t\r\n\u{85}\u{2028}\u{2029}".contains(*c));
    let is_break = |c: char| "\n\u{85}\u{2028}\u{2029}".contains(c);
    let (mut flow_indicators, mut block_indicators) = (false, false);
    if text.starts_with("---") || text.starts_with("...") {
        (flow_indicators, block_indicators) = (true, true);
    }
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_whitespace = true;
    let last = chars.len() - 1;
    for (index, &ch) in chars.iter().enumerate() {
        let followed_by_whitespace = is_space(chars.get(index + 1));
        if index == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(ch) {
                (flow_indicators, block_indicators) = (true, true);
            }
            if "?:".contains(ch) {
                flow_indicators = true;
                block_indicators |= followed_by_whitespace;
            }
            if ch == '-' && followed_by_whitespace {
                (flow_indicators, block_indicators) = (true, true);
            }
        } else {
            if ",?[]{}".contains(ch) {
                flow_indicators = true;
            }
            if ch == ':' {
                flow_indicators = true;
                block_indicators |= followed_by_whitespace;
            }
            if ch == '#' && preceded_by_whitespace {
                (flow_indicators, block_indicators) = (true, true);
            }
        }
        line_breaks |= is_break(ch);
        if !(ch == '\n' || (' '..='~').contains(&ch)) {
            let printable = ch == '\u{85}'
                || ('\u{a0}'..='\u{d7ff}').contains(&ch)
                || ('\u{e000}'..='\u{fffd}').contains(&ch)
                || ('\u{10000}'..'\u{10ffff}').contains(&ch);
            // Line separators other than `\n` are refused with the double-quoted strings.
            special |= !printable || ch == '\u{feff}' || is_break(ch);
        }
        if ch == ' ' {
            leading_space |= index == 0;
            trailing_space |= index == last;
            break_space |= previous_break;
            (previous_space, previous_break) = (true, false);
        } else if is_break(ch) {
            leading_break |= index == 0;
            trailing_break |= index == last;
            space_break |= previous_space;
            (previous_space, previous_break) = (false, true);
        } else {
            (previous_space, previous_break) = (false, false);
        }
        preceded_by_whitespace = is_space(Some(&ch));
    }
    let mut analysis = Analysis {
        multiline: line_breaks,
        flow_plain: true,
        block_plain: true,
        single_quoted: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break || line_breaks {
        (analysis.flow_plain, analysis.block_plain) = (false, false);
    }
    if break_space || space_break || special {
        analysis = Analysis {
            multiline: line_breaks,
            flow_plain: false,
            block_plain: false,
            single_quoted: false,
        };
    }
    analysis.flow_plain &= !flow_indicators;
    analysis.block_plain &= !block_indicators;
    analysis
}

/// Whether PyYAML reads `text`, written plain, back as a string: not a YAML 1.1 boolean,
/// null, number, timestamp, merge key or value key (PyYAML's implicit resolvers).
pub(super) fn resolves_to_string(text: &str) -> bool {
    const IMPLICIT: &str = concat!(
        r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF",
        r"|~|null|Null|NULL|",
        r"|[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?",
        r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
        r"|[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+",
        r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+",
        r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]",
        r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?",
        r"|<<|=)$"
    );
    static RESOLVER: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(IMPLICIT).expect("the resolvers compile"));
    !RESOLVER.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(value: serde_json::Value, nice: bool) -> String {
        if nice {
            dump(&value, 4, false)
        } else {
            dump(&value, 2, true)
        }
        .unwrap()
    }

    #[test]
    fn as_pyyaml_writes_it() {
        let data = serde_json::json!({
            "b": [1, 2, "x y"], "a": {"z": "yes", "c": "", "n": null, "t": true, "f": 1.5},
            "l": [{"k": "v", "j": [1]}, [3, 4]], "s": "it's: ok", "e": [],
            "multi": "l1\nl2\n", "lead": " x", "num": "123"
        });
        assert_eq!(
            yaml(data.clone(), false),
            "a: {c: '', f: 1.5, n: null, t: true, z: 'yes'}\nb: [1, 2, x y]\ne: []\nl:\n- j: [1]\n  k: v\n- [3, 4]\nlead: ' x'\nmulti: 'l1\n\n  l2\n\n  '\nnum: '123'\ns: 'it''s: ok'\n"
        );
        assert_eq!(
            yaml(data, true),
            "a:\n    c: ''\n    f: 1.5\n    n: null\n    t: true\n    z: 'yes'\nb:\n- 1\n- 2\n- x y\ne: []\nl:\n-   j:\n    - 1\n    k: v\n-   - 3\n    - 4\nlead: ' x'\nmulti: 'l1\n\n    l2\n\n    '\nnum: '123'\ns: 'it''s: ok'\n"
        );
        assert_eq!(yaml(serde_json::json!("plain"), false), "plain\n");
        assert_eq!(yaml(serde_json::json!(["a"]), true), "- a\n");
        assert!(dump(&serde_json::json!("tab\there"), 2, true).is_err());
    }

    #[test]
    fn long_lines_fold_as_pyyaml_folds_them() {
        let long = "word ".repeat(30);
        assert_eq!(
            yaml(serde_json::json!({ "long": long }), true),
            "long: 'word word word word word word word word word word word word word word word\n    word word word word word word word word word word word word word word word '\n"
        );
    }
}
