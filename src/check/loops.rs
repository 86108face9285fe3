//! Loops at check time: `loop` on an op or an include repeats it once per item of a list,
//! or once per entry of a map (the item is then `{key, value}`), with the item bound to
//! `item` (or the name `loop_var` gives) and its place, from 0, to `loop_index`.
//!
//! Here the loop arguments (`loop`, `loop_var`, `loop_label`) are read into a [`Loop`], and
//! what is wrong as written is refused (`kiln::invalid-loop`): a literal that is not a list
//! or a map (a string that is not one whole `{{ expression }}`, a number, a boolean), a
//! `loop_var` that is not a variable name or that is the variable of an enclosing loop (an
//! include's), `loop_var` or `loop_label` without `loop`, and a loop on a handler (it runs
//! once, whatever notifies it). The checker then checks the op's templates with the loop's
//! variables in scope, and, where the items are known as written (a literal, a `[vars]`
//! value nothing overrides), that each item has what the templates take of it
//! ([`check_items`]). The items themselves are known per host only (inventory variables
//! differ), so binding expands loops (`bind::loops`).
//!
//! Invariant: an op's loops ([`Globals::loops`](super::Globals)) are its includes' loops,
//! outermost first, then its own; no two of them bind the same name.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{Table, Value};
use crate::source::{SourceMap, Span, Spanned};
use crate::template::is_whole_expression;

use super::ScopeId;

/// The arguments that make an op or an include loop.
pub const LOOP_ARGS: &[&str] = &["loop", "loop_var", "loop_label"];

/// What each of [`LOOP_ARGS`] takes and means, for `docs/ops.md` and the schema.
pub const LOOP_ARG_DOCS: [(&str, &str, &str); 3] = [
    (
        "loop",
        "list, table, or one whole `{{ expression }}`",
        "Run the op (every op of an include) once per item of this list, or per entry of this map (`{key, value}`), with the item as `item` and its place, from 0, as `loop_index`.",
    ),
    (
        "loop_var",
        "variable name",
        "The name each item is bound to instead of `item` (Ansible's `loop_control.loop_var`): needed inside a looped include whose ops loop too.",
    ),
    (
        "loop_label",
        "string",
        "What labels, plans and reports show of each item instead of the item itself (Ansible's `loop_control.label`), a template over it.",
    ),
];

/// The name each item is bound to unless `loop_var` gives another.
pub const ITEM: &str = "item";

/// The name the innermost loop's place (from 0) is bound to.
pub const INDEX: &str = "loop_index";

/// Names a loop variable may not take: they are always defined, or minijinja's own.
const RESERVED: &[&str] = &["facts", "host", INDEX, "loop"];

/// One `loop` as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Loop {
    /// What it goes over: a literal list or map, or one whole `{{ expression }}`.
    pub over: Spanned<Value>,
    /// The variable each item is bound to.
    pub var: String,
    /// A template shown in labels instead of the item (`loop_label`).
    pub label: Option<Spanned<String>>,
    /// The scope `over` is rendered in: where the `loop` is written.
    pub scope: ScopeId,
    /// For an include's loop, the scope of the inclusion it repeats: every op inside runs
    /// once per item, in order, before the next item's.
    pub include: Option<ScopeId>,
}

/// Whether `name` is one of [`LOOP_ARGS`].
pub fn is_loop_arg(name: &str) -> bool {
    LOOP_ARGS.contains(&name)
}

/// The loop `args` (the [`LOOP_ARGS`] given to an op, or to an include that made the scope
/// `include`) say, written in `scope` inside the loops `outer`; none when there is no
/// `loop`, or it is refused (reported).
pub fn read(
    args: &Table,
    scope: ScopeId,
    include: Option<ScopeId>,
    outer: &[Loop],
    diagnostics: &mut Diagnostics,
) -> Option<Loop> {
    let given = |name: &str| args.iter().find(|(key, _)| key.value == name);
    let Some((_, over)) = given("loop") else {
        for (key, _) in args {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidLoop,
                    key.span,
                    format!("`{}` without `loop`", key.value),
                )
                .label("nothing loops")
                .help("add `loop = [...]` (the items), or remove this"),
            );
        }
        return None;
    };
    let over_valid = valid_over(over, diagnostics);
    let var = match given("loop_var") {
        Some((_, value)) => variable(value, outer, diagnostics)?,
        None => {
            let item = Spanned::new(ITEM.to_owned(), over.span);
            unclashed(&item, outer, diagnostics)?
        }
    };
    let label = match given("loop_label") {
        Some((
            _,
            Spanned {
                value: Value::Str(text),
                span,
            },
        )) => Some(Spanned::new(text.clone(), *span)),
        Some((_, other)) => {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidLoop,
                    other.span,
                    format!("`loop_label` takes a string, not {}", other.value.kind()),
                )
                .label("shown in labels")
                .help("write a template of the item, e.g. `loop_label = \"{{ item.name }}\"`"),
            );
            return None;
        }
        None => None,
    };
    over_valid.then(|| Loop {
        over: over.clone(),
        var,
        label,
        scope,
        include,
    })
}

/// A loop's value as written: a list, a map, or one whole `{{ expression }}` (which must
/// render to one of them, checked per host).
fn valid_over(over: &Spanned<Value>, diagnostics: &mut Diagnostics) -> bool {
    let found = match &over.value {
        Value::List(_) | Value::Table(_) => return true,
        Value::Str(text) if is_whole_expression(text) => return true,
        other => other.kind(),
    };
    diagnostics.push(
        Diagnostic::new(
            Code::InvalidLoop,
            over.span,
            format!("a loop goes over a list or a map, not {found}"),
        )
        .label("not a list")
        .help("write the items as a list (`loop = [\"a\", \"b\"]`; KDL: `loop \"a\" \"b\"`), or one whole `{{ expression }}` naming a list or map (`loop = \"{{ users }}\"`)"),
    );
    false
}

/// `loop_var`'s value: a variable name, not reserved, and not an enclosing loop's.
fn variable(
    value: &Spanned<Value>,
    outer: &[Loop],
    diagnostics: &mut Diagnostics,
) -> Option<String> {
    let name = match &value.value {
        Value::Str(name) if crate::steps::values::is_identifier(name) => name,
        other => {
            let shown = match other {
                Value::Str(text) => format!("`{text}`"),
                other => other.kind().to_owned(),
            };
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidLoop,
                    value.span,
                    format!("{shown} is not a variable name"),
                )
                .label("the loop's variable")
                .help("name it with letters, digits and `_`, not starting with a digit (`loop_var = \"user\"`)"),
            );
            return None;
        }
    };
    if RESERVED.contains(&name.as_str()) {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidLoop,
                value.span,
                format!("`{name}` is already a variable of every op"),
            )
            .label("reserved")
            .help("choose another name (`loop_var = \"user\"`)"),
        );
        return None;
    }
    unclashed(&Spanned::new(name.clone(), value.span), outer, diagnostics)
}

/// `var`, when no enclosing loop binds it already (else reported at `var`'s span).
fn unclashed(
    var: &Spanned<String>,
    outer: &[Loop],
    diagnostics: &mut Diagnostics,
) -> Option<String> {
    let Some(enclosing) = outer.iter().find(|l| l.var == var.value) else {
        return Some(var.value.clone());
    };
    diagnostics.push(
        Diagnostic::new(
            Code::InvalidLoop,
            var.span,
            format!("`{}` is already the variable of an enclosing loop", var.value),
        )
        .label("this loop's items would hide that loop's")
        .with_label(enclosing.over.span, "the enclosing loop")
        .help(format!(
            "name this loop's variable with `loop_var` (`loop_var = \"{}_inner\"`), and use it for its items",
            var.value
        )),
    );
    None
}

/// A handler runs once, whatever notifies it: it cannot loop.
pub fn on_handler(args: &Table, diagnostics: &mut Diagnostics) {
    if let Some((key, _)) = args.iter().find(|(key, _)| key.value == "loop") {
        diagnostics.push(
            Diagnostic::new(Code::InvalidLoop, key.span, "a handler cannot loop")
                .label("on a handler")
                .help("a handler runs once, at the end, whatever notifies it: loop over the ops that notify it instead"),
        );
    }
}

/// The names the loop arguments `args` mean to bind, whether or not the loop is valid (so
/// a refused loop does not also make its variable undefined): `loop_var` or `item`, and
/// `loop_index`; none without `loop`.
pub fn meant_names(args: &Table) -> Vec<String> {
    if !args.iter().any(|(key, _)| key.value == "loop") {
        return Vec::new();
    }
    let var = args.iter().find(|(key, _)| key.value == "loop_var");
    let var = match var.map(|(_, value)| &value.value) {
        None => Some(ITEM.to_owned()),
        // A name that is not one binds nothing: the op's templates cannot use it.
        Some(Value::Str(name)) if crate::steps::values::is_identifier(name) => Some(name.clone()),
        Some(_) => None,
    };
    var.into_iter().chain([INDEX.to_owned()]).collect()
}

/// The names a loop's items make visible to the op's templates.
pub fn names(loops: &[Loop]) -> impl Iterator<Item = String> + '_ {
    let index = (!loops.is_empty()).then(|| INDEX.to_owned());
    loops.iter().map(|l| l.var.clone()).chain(index)
}

/// A loop over one whole `{{ name }}` of a variable that `literal` knows the value of (one
/// the manifest writes as it is, which nothing overrides: see `variables::check_shape`)
/// goes over that value on every host, so it must be a list or a map already; reported
/// (false) when it is not.
pub fn over_literal<'v>(
    sources: &SourceMap,
    looped: &Loop,
    literal: &impl Fn(&str) -> Option<&'v Spanned<Value>>,
    diagnostics: &mut Diagnostics,
) -> bool {
    let Value::Str(text) = &looped.over.value else {
        return true;
    };
    let Some(name) = super::variables::whole_variable(text) else {
        return true;
    };
    let Some(var) = literal(name).filter(|v| !matches!(v.value, Value::List(_) | Value::Table(_)))
    else {
        return true;
    };
    let at = super::templates::variable_span(sources, text, looped.over.span, name);
    diagnostics.push(
        Diagnostic::new(
            Code::InvalidLoop,
            at,
            format!("`{name}` is {}: a loop goes over a list or a map", var.value.kind()),
        )
        .label("not a list")
        .with_label(var.span, "its value")
        .help(format!(
            "give `{name}` a list value (`{name} = [...]`), or loop over a list of it (`loop = [\"{{{{ {name} }}}}\"]`)"
        )),
    );
    false
}

/// A template of an op, where it is written, and whether it is an expression (`when`).
pub type Text<'t> = (&'t str, Span, bool);

/// Where the items of `looped` are known as written (a literal list or map, or one whole
/// `{{ name }}` of a list or map that `literal` knows, as [`over_literal`]), every item
/// must have each attribute the op's templates `texts` take of it (`{{ item.line }}`),
/// unless the template may guard it ([`guarded`]): one that lacks it is reported at the
/// first use, with the item. A map's entries have `key` and `value`. Binding would fail on
/// the item all the same; this says so before anything runs, at the item.
pub fn check_items<'v>(
    sources: &SourceMap,
    looped: &Loop,
    literal: &impl Fn(&str) -> Option<&'v Spanned<Value>>,
    texts: &[Text<'_>],
    diagnostics: &mut Diagnostics,
) {
    let written = match &looped.over.value {
        Value::Str(text) => match super::variables::whole_variable(text).and_then(literal) {
            Some(var) => &var.value,
            None => return,
        },
        written => written,
    };
    let (items, is_map): (Vec<&Spanned<Value>>, bool) = match written {
        Value::List(items) => (items.iter().collect(), false),
        Value::Table(_) => (Vec::new(), true),
        _ => return,
    };
    let mut reported = Vec::new();
    for &(text, span, expression) in texts.iter().filter(|(text, _, _)| !guarded(text)) {
        for (attribute, range) in super::templates::attributes_of(text, &looped.var, expression) {
            if reported.contains(&attribute) {
                continue;
            }
            let lacking = if is_map {
                (!["key", "value"].contains(&attribute.as_str())).then_some(None)
            } else {
                items
                    .iter()
                    .enumerate()
                    .find(|(_, item)| !has_key(item, &attribute))
                    .map(Some)
            };
            let Some(lacking) = lacking else { continue };
            let at = super::templates::locate(sources, span, text, range).unwrap_or(span);
            diagnostics.push(missing_attribute(looped, &attribute, at, lacking));
            reported.push(attribute);
        }
    }
}

/// Whether `text` may guard what it takes of an item (`item.mode | default('0644')`,
/// `item.mode is defined`): then an item may lack it. Conservative: any mention counts.
fn guarded(text: &str) -> bool {
    ["default", "defined", "|d(", "| d("]
        .iter()
        .any(|guard| text.contains(guard))
}

/// Whether `item` is a map with `key`.
fn has_key(item: &Spanned<Value>, key: &str) -> bool {
    matches!(&item.value, Value::Table(entries) if entries.iter().any(|(k, _)| k.value == key))
}

/// `item.NAME`, used at `at`, where the loop's item number `lacking` (none: an entry of a
/// map) has no `NAME`.
fn missing_attribute(
    looped: &Loop,
    attribute: &str,
    at: Span,
    lacking: Option<(usize, &&Spanned<Value>)>,
) -> Diagnostic {
    let var = &looped.var;
    let Some((index, item)) = lacking else {
        return Diagnostic::new(
            Code::UndefinedVariable,
            at,
            format!("`{var}` is an entry of a map: it has no `{attribute}`"),
        )
        .label("only `key` and `value`")
        .with_label(looped.over.span, "a map")
        .help(format!(
            "an entry of a map is `{{key, value}}`: `{var}.key`, `{var}.value`"
        ));
    };
    let (message, help) = match &item.value {
        Value::Table(entries) => {
            let keys = entries.iter().map(|(k, _)| k.value.as_str());
            let help = match crate::diagnostic::did_you_mean(attribute, keys.clone()) {
                Some(best) => format!(
                    "item {index} has `{best}`: is it `{attribute}` misspelt? every item needs the keys the op uses"
                ),
                None => format!(
                    "item {index} has {}: every item needs the keys the op uses",
                    crate::diagnostic::quoted_list(&keys.collect::<Vec<_>>())
                ),
            };
            (
                format!("item {index} of the loop has no `{attribute}`"),
                help,
            )
        }
        other => (
            format!(
                "item {index} of the loop is {}: it has no `{attribute}`",
                other.kind()
            ),
            "give every item the same shape: maps with the same keys".to_owned(),
        ),
    };
    Diagnostic::new(Code::UndefinedVariable, at, message)
        .label(format!("not in item {index}"))
        .with_label(item.span, format!("item {index}"))
        .help(help)
}
