//! KDL front end: nodes to the model.
//!
//! A KDL manifest is a list of nodes: `vars`, `secrets`, `include`, `handler`, `define`, `fact`, and
//! otherwise an op named by its node (`files.line "/etc/hosts" line="..."`). Positional
//! values fill the op's main argument; properties and child nodes are named arguments. A
//! child node's value is its single argument, a list of its arguments, or (with children or
//! properties) a table; children named `-` make a list (`packages { - "a"; - "b"; }`).

use kdl::{KdlDocument, KdlEntry, KdlNode, KdlValue};

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{FactDecl, InventoryFile, Item, Manifest, OpCall, Table, Value};
use crate::source::{FileId, Span, Spanned};

use super::to_model;

/// The top-level nodes of a manifest that are not ops.
const KEYWORDS: [&str; 6] = ["vars", "secrets", "include", "handler", "define", "fact"];

/// Deeper nesting than this is refused before parsing: the KDL parser recurses per level
/// and would overflow the stack on pathological input long before any real manifest.
const MAX_DEPTH: usize = 64;

/// Parses `text`; on syntax errors reports them all and returns `None`.
pub(crate) fn parse(
    file: FileId,
    text: &str,
    diagnostics: &mut Diagnostics,
) -> Option<KdlDocument> {
    if let Some(at) = too_deep(text) {
        diagnostics.push(
            Diagnostic::new(
                Code::Syntax,
                Span::new(file, at..at + 1),
                "nesting is too deep",
            )
            .label(format!("more than {MAX_DEPTH} levels of `{{`"))
            .help("flatten the document"),
        );
        return None;
    }
    match KdlDocument::parse(text) {
        Ok(document) => Some(document),
        Err(error) => {
            let mut errors = error.diagnostics;
            errors.sort_by_key(|d| d.span.offset());
            // After an error the parser often reports the rest of its line again, piece by
            // piece: only the first error of each line is shown.
            let mut last_line = None;
            for d in errors {
                let span = Span::new(file, d.span.offset()..d.span.offset() + d.span.len());
                let line = text
                    .get(..d.span.offset())
                    .map_or(0, |before| before.matches('\n').count());
                if last_line == Some(line) {
                    continue;
                }
                last_line = Some(line);
                diagnostics.push(syntax_error(text, span, d));
            }
            None
        }
    }
}

/// One error of the KDL parser as a diagnostic, with kiln's advice for the common mistakes.
fn syntax_error(text: &str, span: Span, d: kdl::KdlDiagnostic) -> Diagnostic {
    let found = text.get(span.range()).unwrap_or_default();
    if ["true", "false", "null"].contains(&found) {
        // KDL 1 spelling: the parser only says it expected an identifier.
        return Diagnostic::new(
            Code::Syntax,
            span,
            format!("invalid KDL: `{found}` is not a value in KDL 2"),
        )
        .label(format!("write `#{found}`"))
        .help("KDL 2 writes keywords with a `#`: `#true`, `#false`, `#null`");
    }
    if found == "}" && d.message.as_deref() == Some("Expected end of document") {
        return Diagnostic::new(Code::Syntax, span, "invalid KDL: unmatched `}`")
            .label("no `{` to close")
            .help("remove it, or add the `{` it was meant to close");
    }
    if found.starts_with('"')
        && let Some((literal, escape)) = text.get(span.start as usize..).and_then(invalid_escape)
    {
        // A backslash that starts no escape, as in a regex: `"^\d+$"`. The parser only
        // says it expected a string.
        let at = span.start as usize + escape.start;
        let written = &text[at..at + escape.len()];
        return Diagnostic::new(
            Code::Syntax,
            Span::new(span.file, at..at + escape.len()),
            format!("invalid KDL: `{written}` is not an escape"),
        )
        .label("not a KDL escape")
        .help(format!(
            "`\\` starts an escape in a KDL string (`\\n`, `\\t`, `\\\"`, `\\\\`, `\\u{{...}}`); \
             write `\\\\` for a backslash, or use a raw string: `#{literal}#`"
        ));
    }
    let message = d.message.unwrap_or_else(|| "unexpected input".into());
    let diagnostic = Diagnostic::new(Code::Syntax, span, format!("invalid KDL: {message}"))
        .label(d.label.unwrap_or_else(|| "here".into()));
    match d.help {
        Some(help) => diagnostic.help(help),
        None if found == "{" => diagnostic.help("add the `}` that ends this block"),
        None => diagnostic,
    }
}

/// For a quoted string at the start of `text` that contains an invalid escape: the whole
/// string literal, and the range of the first invalid escape in it.
fn invalid_escape(text: &str) -> Option<(&str, std::ops::Range<usize>)> {
    let mut chars = text.char_indices().skip(1);
    let mut invalid = None;
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return invalid.map(|range| (&text[..=i], range)),
            '\n' => return None,
            '\\' => {
                let (j, next) = chars.next()?;
                let valid = matches!(next, 'n' | 'r' | 't' | '\\' | '"' | 'b' | 'f' | 's')
                    || next.is_whitespace()
                    || (next == 'u' && text[j + 1..].starts_with('{'));
                if !valid && invalid.is_none() {
                    invalid = Some(i..j + next.len_utf8());
                }
            }
            _ => {}
        }
    }
    None
}

/// The offset where `{` nesting first exceeds [`MAX_DEPTH`], skipping strings and comments.
fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Turns a parsed document into the model, reporting problems as it goes.
struct Reader<'a> {
    file: FileId,
    text: &'a str,
    diagnostics: &'a mut Diagnostics,
}

pub(crate) fn manifest(
    file: FileId,
    text: &str,
    document: &KdlDocument,
    diagnostics: &mut Diagnostics,
) -> Manifest {
    Reader {
        file,
        text,
        diagnostics,
    }
    .manifest(document)
}

pub(crate) fn inventory(
    file: FileId,
    text: &str,
    document: &KdlDocument,
    diagnostics: &mut Diagnostics,
) -> InventoryFile {
    Reader {
        file,
        text,
        diagnostics,
    }
    .inventory(document)
}

/// A file of variables: each top-level node is one, as inside `vars { ... }`.
pub(crate) fn vars(
    file: FileId,
    text: &str,
    document: &KdlDocument,
    diagnostics: &mut Diagnostics,
) -> Table {
    let mut reader = Reader {
        file,
        text,
        diagnostics,
    };
    document
        .nodes()
        .iter()
        .filter_map(|node| Some((reader.name(node), reader.node_value(node)?)))
        .collect()
}

impl Reader<'_> {
    fn span(&self, s: miette::SourceSpan) -> Span {
        Span::new(self.file, s.offset()..s.offset() + s.len())
    }

    fn manifest(&mut self, document: &KdlDocument) -> Manifest {
        let file = self.file;
        let mut manifest = Manifest {
            file,
            vars: Vec::new(),
            secrets: Vec::new(),
            items: Vec::new(),
            handlers: Vec::new(),
            defines: Vec::new(),
            facts: Vec::new(),
        };
        for node in document.nodes() {
            let node_span = self.span(node.span());
            match node.name().value() {
                "vars" => {
                    self.refuse_values(
                        node,
                        "`vars` takes named values: `vars { name \"value\"; }`",
                    );
                    manifest.vars.extend(self.node_table(node));
                }
                "secrets" => {
                    self.refuse_values(
                        node,
                        "`secrets` takes named values: `secrets { name \"value\"; }`",
                    );
                    manifest.secrets.extend(self.node_table(node));
                }
                "include" => {
                    let Some(path) = self.single_string_arg(node, "the path to include") else {
                        continue;
                    };
                    let table = self.node_table(node);
                    manifest.items.push(Item::Include(to_model::include_call(
                        path,
                        table,
                        node_span,
                        self.diagnostics,
                    )));
                }
                "handler" => {
                    if let Some(handler) = self.handler(node) {
                        manifest.handlers.push(handler);
                    }
                }
                "define" => {
                    let Some(name) = self.single_string_arg(node, "the new op's name") else {
                        continue;
                    };
                    let table = self.define_table(node);
                    manifest.defines.push(to_model::define(
                        name,
                        table,
                        node_span,
                        self.diagnostics,
                    ));
                }
                "fact" => {
                    let Some(name) = self.single_string_arg(node, "the fact's name") else {
                        continue;
                    };
                    let args = self.node_table(node);
                    manifest.facts.push(FactDecl {
                        name,
                        args,
                        span: node_span,
                    });
                }
                name => {
                    if let Some(call) = self.op_node(name, node) {
                        manifest.items.push(Item::Op(call));
                    }
                }
            }
        }
        to_model::secret_twins(&manifest.vars, &manifest.secrets, self.diagnostics);
        manifest
    }

    /// Every node that is not a keyword is an op, so a misspelt keyword (`handlers`) would
    /// be an unknown op whose contents make no sense as arguments: say what it is likely
    /// meant to be, and skip it.
    fn op_node(&mut self, name: &str, node: &KdlNode) -> Option<OpCall> {
        if !name.contains('.')
            && let Some(keyword) = crate::diagnostic::did_you_mean(name, KEYWORDS)
        {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::UnknownOp,
                    self.span(node.name().span()),
                    format!("unknown operation `{name}`"),
                )
                .label("neither an op nor a keyword")
                .help(format!("did you mean `{keyword}`?")),
            );
            return None;
        }
        Some(self.op_call(node))
    }

    /// An op node: its name is the op, positional values fill the main argument.
    fn op_call(&mut self, node: &KdlNode) -> OpCall {
        let mut positional = Vec::new();
        let mut args = Vec::new();
        for entry in node.entries() {
            match self.entry_key(entry) {
                Some(key) => args.push((key, self.entry_value(entry))),
                None => positional.push(self.entry_value(entry)),
            }
        }
        if let Some(children) = node.children() {
            for child in children.nodes() {
                if let Some(value) = self.node_value(child) {
                    args.push((self.name(child), value));
                }
            }
        }
        OpCall {
            kind: self.name(node),
            positional,
            args,
            span: self.span(node.span()),
        }
    }

    /// `handler "reload nginx" { systemd.service "nginx" reloaded=#true }`.
    fn handler(&mut self, node: &KdlNode) -> Option<OpCall> {
        let node_span = self.span(node.span());
        for entry in node.entries() {
            if let Some(key) = entry.name() {
                self.diagnostics.push(
                    Diagnostic::new(Code::UnknownKey, self.span(key.span()), format!("`{}` on a handler node is not used", key.value()))
                        .label("the handler node only takes its id")
                        .help("put arguments on the op inside: `handler \"id\" { module.op ... sudo=#true }`"),
                );
            }
        }
        let id = self.single_string_arg(node, "the handler's id")?;
        let ops: Vec<&KdlNode> = node
            .children()
            .map(|c| c.nodes().iter().collect())
            .unwrap_or_default();
        let op = match ops.as_slice() {
            [] => {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::MissingArgument,
                        node_span,
                        "a handler holds exactly one op",
                    )
                    .label("no op in this handler")
                    .help("write `handler \"id\" { module.op ... }`"),
                );
                return None;
            }
            [op] => op,
            [op, second, ..] => {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::MissingArgument,
                        self.span(second.span()),
                        "a handler holds exactly one op",
                    )
                    .label(format!("a second op ({} in all)", ops.len()))
                    .with_label(self.span(node.name().span()), "this handler")
                    .help("declare a handler for each op, and notify each of them"),
                );
                // Checked as the handler all the same, so `notify` still finds it.
                op
            }
        };
        let mut call = self.op_call(op);
        let id_span = id.span;
        call.args.push((
            Spanned::new("id".into(), id_span),
            Spanned::new(Value::Str(id.value), id_span),
        ));
        Some(call)
    }

    /// `define "site.swap" { summary "..."; param "size" type="string" required=#true; probe "..."; apply "..." }`
    /// as the table shape `to_model::define` reads.
    fn define_table(&mut self, node: &KdlNode) -> Table {
        // Properties (`define "x" apply="..."`) are entries like child nodes.
        let mut table: Table = node
            .entries()
            .iter()
            .filter_map(|entry| Some((self.entry_key(entry)?, self.entry_value(entry))))
            .collect();
        let mut params = Vec::new();
        let mut params_span = None;
        for child in node.children().map(|c| c.nodes()).unwrap_or_default() {
            if child.name().value() == "param" {
                let child_span = self.span(child.span());
                params_span.get_or_insert(child_span);
                if let Some(param_name) = self.single_string_arg(child, "the parameter's name") {
                    let spec = self.node_table(child);
                    params.push((param_name, Spanned::new(Value::Table(spec), child_span)));
                }
            } else {
                if let Some(value) = self.node_value(child) {
                    table.push((self.name(child), value));
                }
            }
        }
        if let Some(params_span) = params_span {
            table.push((
                Spanned::new("params".into(), params_span),
                Spanned::new(Value::Table(params), params_span),
            ));
        }
        table
    }

    /// A KDL inventory, turned into the table shape of a TOML one:
    /// `host "web1" address="..." { vars { ... } }`, `group "web" { hosts "web1"; children "db"; }`.
    fn inventory(&mut self, document: &KdlDocument) -> InventoryFile {
        let mut root: Table = Vec::new();
        let mut hosts: Table = Vec::new();
        let mut groups: Table = Vec::new();
        for node in document.nodes() {
            let node_span = self.span(node.span());
            match node.name().value() {
                kind @ ("host" | "group") => {
                    let Some(entry_name) = self.single_string_arg(node, "its name") else {
                        continue;
                    };
                    let table = Spanned::new(Value::Table(self.node_table(node)), node_span);
                    if kind == "host" {
                        &mut hosts
                    } else {
                        &mut groups
                    }
                    .push((entry_name, table));
                }
                _ => {
                    if let Some(value) = self.node_value(node) {
                        root.push((self.name(node), value));
                    }
                }
            }
        }
        let whole = Span::new(self.file, 0..0);
        for (key, entries) in [("hosts", hosts), ("groups", groups)] {
            if !entries.is_empty() {
                root.push((
                    Spanned::new(key.into(), whole),
                    Spanned::new(Value::Table(entries), whole),
                ));
            }
        }
        to_model::inventory(Spanned::new(Value::Table(root), whole), self.diagnostics)
    }

    /// A node's properties and children as a table (its positional values are the caller's).
    fn node_table(&mut self, node: &KdlNode) -> Table {
        let mut table: Table = node
            .entries()
            .iter()
            .filter_map(|entry| Some((self.entry_key(entry)?, self.entry_value(entry))))
            .collect();
        if let Some(children) = node.children() {
            for child in children.nodes() {
                if let Some(value) = self.node_value(child) {
                    table.push((self.name(child), value));
                }
            }
        }
        table
    }

    /// The value a child node stands for (see the module docs).
    /// Reports positional values on a node that takes only named ones.
    fn refuse_values(&mut self, node: &KdlNode, help: &'static str) {
        for entry in node.entries().iter().filter(|e| e.name().is_none()) {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::UnknownKey,
                    self.span(entry.span()),
                    format!("`{}` takes no positional value", node.name().value()),
                )
                .label("not used")
                .help(help),
            );
        }
    }

    /// `None` when the node has no value at all (reported).
    fn node_value(&mut self, node: &KdlNode) -> Option<Spanned<Value>> {
        let node_span = self.span(node.span());
        let args: Vec<&KdlEntry> = node
            .entries()
            .iter()
            .filter(|e| e.name().is_none())
            .collect();
        let has_props = node.entries().iter().any(|e| e.name().is_some());
        let children = node.children().map(|c| c.nodes()).unwrap_or_default();
        if !children.is_empty() && children.iter().all(|c| c.name().value() == "-") {
            let items = children.iter().filter_map(|c| self.node_value(c)).collect();
            return Some(Spanned::new(Value::List(items), node_span));
        }
        // `keys { }`: an empty block is an empty list (or table), as `keys = []` in TOML.
        if node.children().is_some() && children.is_empty() && args.is_empty() && !has_props {
            return Some(Spanned::new(Value::List(Vec::new()), node_span));
        }
        if has_props || !children.is_empty() {
            if let Some(first) = args.first() {
                self.diagnostics.push(
                    Diagnostic::new(Code::WrongType, self.span(first.span()), "a value cannot be mixed with named entries")
                        .label("positional value")
                        .help("a node is either values (`name \"a\" \"b\"`) or a table (`name key=\"v\"` / `name { key \"v\"; }`)"),
                );
            }
            return Some(Spanned::new(Value::Table(self.node_table(node)), node_span));
        }
        Some(match args.as_slice() {
            [] => {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::MissingArgument,
                        node_span,
                        format!("`{}` has no value", node.name().value()),
                    )
                    .label("nothing after the name")
                    .help("give it a value, e.g. `sudo #true`, or `{ }` for an empty list"),
                );
                return None;
            }
            [single] => self.entry_value(single),
            many => Spanned::new(
                Value::List(many.iter().map(|e| self.entry_value(e)).collect()),
                node_span,
            ),
        })
    }

    fn name(&self, node: &KdlNode) -> Spanned<String> {
        Spanned::new(
            node.name().value().to_owned(),
            self.span(node.name().span()),
        )
    }

    fn entry_key(&self, entry: &KdlEntry) -> Option<Spanned<String>> {
        entry
            .name()
            .map(|key| Spanned::new(key.value().to_owned(), self.span(key.span())))
    }

    /// An entry's value, spanning only the value (not `key=`).
    fn entry_value(&mut self, entry: &KdlEntry) -> Spanned<Value> {
        let whole = self.span(entry.span());
        // A property's value follows `key`, optional spaces, `=`, optional spaces.
        let value_span = match entry.name() {
            Some(key) => {
                let after_key = key.span().offset() + key.span().len();
                let rest = self
                    .text
                    .get(after_key..whole.end as usize)
                    .unwrap_or_default();
                let skipped = rest.len() - rest.trim_start_matches([' ', '\t', '=']).len();
                Span::new(self.file, after_key + skipped..whole.end as usize)
            }
            None => whole,
        };
        let value = match entry.value() {
            KdlValue::String(s) => Value::Str(s.clone()),
            KdlValue::Integer(i) => match i64::try_from(*i) {
                Ok(n) => Value::Int(n),
                Err(_) => {
                    self.diagnostics.push(
                        Diagnostic::new(Code::InvalidValue, value_span, "integer out of range")
                            .label("does not fit in 64 bits"),
                    );
                    Value::Int(0)
                }
            },
            KdlValue::Float(f) => Value::Float(*f),
            KdlValue::Bool(b) => Value::Bool(*b),
            KdlValue::Null => {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::WrongType,
                        value_span,
                        "`#null` is not a value kiln accepts",
                    )
                    .label("null")
                    .help("leave the argument out to use its default"),
                );
                Value::Str(String::new())
            }
        };
        Spanned::new(value, value_span)
    }

    /// The one string positional value of a structural node (`include "path"`, `host "name"`).
    fn single_string_arg(&mut self, node: &KdlNode, what: &str) -> Option<Spanned<String>> {
        let args: Vec<&KdlEntry> = node
            .entries()
            .iter()
            .filter(|e| e.name().is_none())
            .collect();
        let node_span = self.span(node.name().span());
        let keyword = node.name().value();
        match args.as_slice() {
            [entry] => match entry.value() {
                KdlValue::String(s) => Some(Spanned::new(s.clone(), self.span(entry.span()))),
                _ => {
                    self.diagnostics.push(
                        Diagnostic::new(
                            Code::WrongType,
                            self.span(entry.span()),
                            format!("`{keyword}` takes a string"),
                        )
                        .label(format!("this should be {what}")),
                    );
                    None
                }
            },
            _ => {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::MissingArgument,
                        node_span,
                        format!("`{keyword}` takes exactly one value: {what}"),
                    )
                    .label(format!("{} values given", args.len()))
                    .help(format!("write `{keyword} \"...\"`")),
                );
                None
            }
        }
    }
}
