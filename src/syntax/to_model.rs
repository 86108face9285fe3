//! From a spanned value tree to the model: the structure shared by both spellings.
//!
//! TOML yields one root table directly. KDL yields nodes, and the KDL front end turns each
//! top-level construct (`vars`, `secrets`, `include`, `define`, inventory `host`/`group`)
//! into the same tables before calling the functions here, so the rules for what those
//! constructs may contain are written once.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{
    Define, FactDecl, GroupDecl, HostDecl, Include, InventoryFile, Item, Manifest, OpCall, Param,
    Table, Value,
};
use crate::source::{FileId, Span, Spanned};

const MANIFEST_KEYS: &[&str] = &["vars", "secrets", "op", "handler", "define", "facts"];
const INVENTORY_KEYS: &[&str] = &["vars", "secrets", "hosts", "groups"];
const HOST_KEYS: &[&str] = &["address", "port", "user", "connector", "vars", "secrets"];
const GROUP_KEYS: &[&str] = &["hosts", "children", "vars", "secrets"];
const DEFINE_KEYS: &[&str] = &["op", "summary", "params", "probe", "apply"];
const PARAM_KEYS: &[&str] = &["type", "required", "default", "doc"];

/// The root table of a TOML manifest.
pub(crate) fn manifest(
    file: FileId,
    root: Spanned<Value>,
    diagnostics: &mut Diagnostics,
) -> Manifest {
    let mut manifest = Manifest {
        file,
        vars: Vec::new(),
        secrets: Vec::new(),
        items: Vec::new(),
        handlers: Vec::new(),
        defines: Vec::new(),
        facts: Vec::new(),
    };
    for (key, value) in into_table(root, diagnostics) {
        match key.value.as_str() {
            "facts" => {
                for (name, fact) in into_table(value, diagnostics) {
                    let span = fact.span;
                    let args = into_table(fact, diagnostics);
                    manifest.facts.push(FactDecl { name, args, span });
                }
            }
            "vars" => manifest.vars = into_table(value, diagnostics),
            "secrets" => manifest.secrets = into_table(value, diagnostics),
            "op" => {
                for entry in into_list(value, diagnostics) {
                    let span = entry.span;
                    if let Some(item) = item(into_table(entry, diagnostics), span, diagnostics) {
                        manifest.items.push(item);
                    }
                }
            }
            "handler" => {
                for entry in into_list(value, diagnostics) {
                    let span = entry.span;
                    if let Some(handler) =
                        handler(into_table(entry, diagnostics), span, diagnostics)
                    {
                        manifest.handlers.push(handler);
                    }
                }
            }
            "define" => {
                for entry in into_list(value, diagnostics) {
                    let span = entry.span;
                    let mut table = into_table(entry, diagnostics);
                    let Some(name) = take_str(&mut table, "op", span, diagnostics, true) else {
                        continue;
                    };
                    manifest
                        .defines
                        .push(define(name, table, span, diagnostics));
                }
            }
            _ => unknown_key(&key, MANIFEST_KEYS, "manifest", diagnostics),
        }
    }
    secret_twins(&manifest.vars, &manifest.secrets, diagnostics);
    manifest
}

/// An `[[op]]` entry: an op (`op = "module.op"`) or an include (`include = "path"`).
pub(crate) fn item(mut table: Table, span: Span, diagnostics: &mut Diagnostics) -> Option<Item> {
    let op = position(&table, "op").map(|i| table.remove(i));
    let include = position(&table, "include").map(|i| table.remove(i));
    match (op, include) {
        (Some((_, kind)), None) => {
            let kind = string(kind, diagnostics)?;
            Some(Item::Op(OpCall {
                kind,
                positional: Vec::new(),
                args: table,
                span,
            }))
        }
        (None, Some((_, path))) => {
            let path = string(path, diagnostics)?;
            Some(Item::Include(include_call(path, table, span, diagnostics)))
        }
        (Some((op_key, _)), Some((include_key, _))) => {
            diagnostics.push(
                Diagnostic::new(
                    Code::ConflictingArguments,
                    include_key.span,
                    "an entry is either an op or an include",
                )
                .label("`include` here")
                .with_label(op_key.span, "and `op` here")
                .help("split this into two `[[op]]` entries"),
            );
            None
        }
        (None, None) => {
            diagnostics.push(
                Diagnostic::new(Code::MissingArgument, span, "this entry names no operation")
                    .label("no `op` or `include` key")
                    .help("add `op = \"module.op\"` (e.g. `op = \"files.line\"`) or `include = \"path\"`"),
            );
            None
        }
    }
}

/// An include's path, its `vars` and `secrets`, and the global arguments that apply to
/// everything in it.
pub(crate) fn include_call(
    path: Spanned<String>,
    mut args: Table,
    span: Span,
    diagnostics: &mut Diagnostics,
) -> Include {
    let vars = take_table(&mut args, "vars", diagnostics);
    let secrets = take_table(&mut args, "secrets", diagnostics);
    secret_twins(&vars, &secrets, diagnostics);
    Include {
        path,
        vars,
        secrets,
        args,
        span,
    }
}

/// A `[[handler]]` entry: an op with a required `id`, the name `notify` uses.
pub(crate) fn handler(table: Table, span: Span, diagnostics: &mut Diagnostics) -> Option<OpCall> {
    if position(&table, "id").is_none() {
        diagnostics.push(
            Diagnostic::new(Code::MissingArgument, span, "a handler needs an `id`")
                .label("no `id` in this handler")
                .help("add `id = \"reload nginx\"`; ops name it in `notify`"),
        );
    }
    match item(table, span, diagnostics)? {
        Item::Op(op) => Some(op),
        Item::Include(include) => {
            diagnostics.push(
                Diagnostic::new(
                    Code::UnknownKey,
                    include.path.span,
                    "a handler cannot be an include",
                )
                .label("not allowed in a handler")
                .help("a handler is a single op"),
            );
            None
        }
    }
}

/// A `define` entry (its name already taken out of the table).
pub(crate) fn define(
    name: Spanned<String>,
    mut table: Table,
    span: Span,
    diagnostics: &mut Diagnostics,
) -> Define {
    let summary = take_str(&mut table, "summary", span, diagnostics, false);
    let probe = take_str(&mut table, "probe", span, diagnostics, false);
    let apply = take_str(&mut table, "apply", span, diagnostics, true)
        .unwrap_or_else(|| Spanned::new(String::new(), span));
    let params = position(&table, "params")
        .map(|i| into_table(table.remove(i).1, diagnostics))
        .unwrap_or_default()
        .into_iter()
        .map(|(name, spec)| param(name, spec, diagnostics))
        .collect();
    for (key, _) in &table {
        unknown_key(key, DEFINE_KEYS, "`define`", diagnostics);
    }
    Define {
        name,
        summary,
        params,
        probe,
        apply,
        span,
    }
}

/// A parameter of a `define`: `size = { type = "string", required = true }`, or just
/// `size = "string"` for the type alone.
fn param(name: Spanned<String>, spec: Spanned<Value>, diagnostics: &mut Diagnostics) -> Param {
    let mut param = Param {
        name,
        ty: None,
        required: false,
        default: None,
        doc: None,
    };
    let span = spec.span;
    if let Value::Str(ty) = spec.value {
        param.ty = Some(Spanned::new(ty, span));
        return param;
    }
    let mut table = into_table(spec, diagnostics);
    param.ty = take_str(&mut table, "type", span, diagnostics, false);
    param.doc = take_str(&mut table, "doc", span, diagnostics, false);
    param.default = position(&table, "default").map(|i| table.remove(i).1);
    if let Some(i) = position(&table, "required") {
        let (_, value) = table.remove(i);
        match value.value {
            Value::Bool(b) => param.required = b,
            other => wrong_type(value.span, "a boolean", &other, diagnostics),
        }
    }
    for (key, _) in &table {
        unknown_key(key, PARAM_KEYS, "a parameter", diagnostics);
    }
    param
}

/// The root table of an inventory file (TOML, or KDL already turned into this shape).
pub(crate) fn inventory(root: Spanned<Value>, diagnostics: &mut Diagnostics) -> InventoryFile {
    let mut inventory = InventoryFile::default();
    for (key, value) in into_table(root, diagnostics) {
        match key.value.as_str() {
            "vars" => inventory.vars = into_table(value, diagnostics),
            "secrets" => inventory.secrets = into_table(value, diagnostics),
            "hosts" => {
                for (name, host) in into_table(value, diagnostics) {
                    inventory.hosts.push(host_decl(name, host, diagnostics));
                }
            }
            "groups" => {
                for (name, group) in into_table(value, diagnostics) {
                    inventory.groups.push(group_decl(name, group, diagnostics));
                }
            }
            _ => unknown_key(&key, INVENTORY_KEYS, "inventory", diagnostics),
        }
    }
    secret_twins(&inventory.vars, &inventory.secrets, diagnostics);
    inventory
}

fn host_decl(
    name: Spanned<String>,
    value: Spanned<Value>,
    diagnostics: &mut Diagnostics,
) -> HostDecl {
    let span = value.span;
    let mut host = HostDecl {
        name,
        address: None,
        port: None,
        user: None,
        connector: None,
        vars: Vec::new(),
        secrets: Vec::new(),
    };
    let mut table = into_table(value, diagnostics);
    host.address = take_str(&mut table, "address", span, diagnostics, false);
    host.user = take_str(&mut table, "user", span, diagnostics, false);
    host.connector = take_str(&mut table, "connector", span, diagnostics, false);
    if let Some(i) = position(&table, "port") {
        let (_, port) = table.remove(i);
        match port.value {
            Value::Int(n) if (1..=65535).contains(&n) => {
                host.port = Some(Spanned::new(n, port.span))
            }
            Value::Int(n) => diagnostics.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    port.span,
                    format!("port {n} is out of range"),
                )
                .label("not a TCP port")
                .help("a port is between 1 and 65535"),
            ),
            other => wrong_type(port.span, "an integer", &other, diagnostics),
        }
    }
    host.vars = take_table(&mut table, "vars", diagnostics);
    host.secrets = take_table(&mut table, "secrets", diagnostics);
    secret_twins(&host.vars, &host.secrets, diagnostics);
    for (key, _) in &table {
        unknown_key(key, HOST_KEYS, "a host", diagnostics);
    }
    host
}

fn group_decl(
    name: Spanned<String>,
    value: Spanned<Value>,
    diagnostics: &mut Diagnostics,
) -> GroupDecl {
    let mut group = GroupDecl {
        name,
        hosts: Vec::new(),
        children: Vec::new(),
        vars: Vec::new(),
        secrets: Vec::new(),
    };
    for (key, value) in into_table(value, diagnostics) {
        match key.value.as_str() {
            "hosts" => group.hosts = string_list(value, diagnostics),
            "children" => group.children = string_list(value, diagnostics),
            "vars" => group.vars = into_table(value, diagnostics),
            "secrets" => group.secrets = into_table(value, diagnostics),
            _ => unknown_key(&key, GROUP_KEYS, "a group", diagnostics),
        }
    }
    secret_twins(&group.vars, &group.secrets, diagnostics);
    group
}

/// A name given both under `vars` and under `secrets` at one place is a mistake: which
/// value is meant, and is it secret?
pub(crate) fn secret_twins(vars: &Table, secrets: &Table, diagnostics: &mut Diagnostics) {
    for (name, _) in secrets {
        if let Some((plain, _)) = vars.iter().find(|(key, _)| key.value == name.value) {
            diagnostics.push(
                Diagnostic::new(
                    Code::DuplicateId,
                    name.span,
                    format!("`{}` is both a variable and a secret", name.value),
                )
                .label("a secret here")
                .with_label(plain.span, "and a plain variable here")
                .help("keep it under `secrets` only"),
            );
        }
    }
}

/// Removes `key` from `table` as a table (none: empty).
fn take_table(table: &mut Table, key: &str, diagnostics: &mut Diagnostics) -> Table {
    position(table, key)
        .map(|i| into_table(table.remove(i).1, diagnostics))
        .unwrap_or_default()
}

fn position(table: &Table, key: &str) -> Option<usize> {
    table.iter().position(|(k, _)| k.value == key)
}

/// Removes `key` from `table` as a string; reports it missing (at `span`) when `required`.
fn take_str(
    table: &mut Table,
    key: &str,
    span: Span,
    diagnostics: &mut Diagnostics,
    required: bool,
) -> Option<Spanned<String>> {
    match position(table, key) {
        Some(i) => string(table.remove(i).1, diagnostics),
        None => {
            if required {
                diagnostics.push(
                    Diagnostic::new(Code::MissingArgument, span, format!("`{key}` is missing"))
                        .label(format!("this needs a `{key}`")),
                );
            }
            None
        }
    }
}

fn string(value: Spanned<Value>, diagnostics: &mut Diagnostics) -> Option<Spanned<String>> {
    match value.value {
        Value::Str(s) => Some(Spanned::new(s, value.span)),
        other => {
            wrong_type(value.span, "a string", &other, diagnostics);
            None
        }
    }
}

/// A list of strings; a lone string is a one-element list.
fn string_list(value: Spanned<Value>, diagnostics: &mut Diagnostics) -> Vec<Spanned<String>> {
    match value.value {
        Value::Str(s) => vec![Spanned::new(s, value.span)],
        Value::List(items) => items
            .into_iter()
            .filter_map(|item| string(item, diagnostics))
            .collect(),
        other => {
            wrong_type(value.span, "a list of strings", &other, diagnostics);
            Vec::new()
        }
    }
}

pub(crate) fn into_table(value: Spanned<Value>, diagnostics: &mut Diagnostics) -> Table {
    match value.value {
        Value::Table(table) => table,
        other => {
            wrong_type(value.span, "a table", &other, diagnostics);
            Vec::new()
        }
    }
}

fn into_list(value: Spanned<Value>, diagnostics: &mut Diagnostics) -> Vec<Spanned<Value>> {
    match value.value {
        Value::List(items) => items,
        other => {
            wrong_type(value.span, "a list", &other, diagnostics);
            Vec::new()
        }
    }
}

pub(crate) fn wrong_type(span: Span, expected: &str, found: &Value, diagnostics: &mut Diagnostics) {
    diagnostics.push(
        Diagnostic::new(
            Code::WrongType,
            span,
            format!("expected {expected}, found {}", found.kind()),
        )
        .label(format!("this should be {expected}")),
    );
}

pub(crate) fn unknown_key(
    key: &Spanned<String>,
    known: &[&str],
    place: &str,
    diagnostics: &mut Diagnostics,
) {
    let diagnostic = Diagnostic::new(
        Code::UnknownKey,
        key.span,
        format!("unknown key `{}` in {place}", key.value),
    )
    .label("not recognised here");
    let diagnostic = match crate::diagnostic::did_you_mean(&key.value, known.iter().copied()) {
        Some(best) => diagnostic.help(format!("did you mean `{best}`?")),
        None => diagnostic.help(format!(
            "expected one of {}",
            crate::diagnostic::quoted_list(known)
        )),
    };
    diagnostics.push(diagnostic);
}
