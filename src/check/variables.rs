//! Variables defined from each other (`url = "https://{{ site }}"`): the order to render
//! them in, the cycles that leave some without a value, and how large each could grow.
//!
//! Both `check` (over the manifest's variables) and `bind` (over one host's) use this, so
//! a cycle is the same error at check time as at bind time, and binding renders each
//! variable once, after everything it uses: no template text is ever left unrendered in a
//! value.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::Value;
use crate::opdef::ArgType;
use crate::opdef::ArgValue;
use crate::source::{SourceMap, Span, Spanned};

/// The largest value a variable or argument may render to. A value this large is a
/// runaway expansion (variables that double each other), not configuration.
pub const MAX_VALUE_BYTES: usize = 1 << 20;

/// The variables of one scope, as a graph: `uses[i]` are the variables variable `i`'s
/// value names.
pub struct Graph {
    pub uses: Vec<Vec<usize>>,
}

/// What [`Graph::resolution`] finds.
#[derive(Debug, PartialEq)]
pub struct Resolution {
    /// The variables that can be rendered, each after the ones it uses.
    pub order: Vec<usize>,
    /// Each set of variables defined from each other, in index order.
    pub cycles: Vec<Vec<usize>>,
}

impl Graph {
    /// Tarjan's strongly connected components: they come out with what each uses first,
    /// which is the order to render in. A component of more than one variable, or one that
    /// uses itself, is a cycle; a variable that uses one (directly or not) has no order.
    pub fn resolution(&self) -> Resolution {
        let mut tarjan = Tarjan {
            uses: &self.uses,
            index: vec![None; self.uses.len()],
            low: vec![0; self.uses.len()],
            on_stack: vec![false; self.uses.len()],
            stack: Vec::new(),
            next: 0,
            components: Vec::new(),
        };
        for node in 0..self.uses.len() {
            if tarjan.index[node].is_none() {
                tarjan.visit(node);
            }
        }
        let mut blocked = vec![false; self.uses.len()];
        let mut resolution = Resolution {
            order: Vec::new(),
            cycles: Vec::new(),
        };
        for mut component in tarjan.components {
            let node = component[0];
            if component.len() > 1 || self.uses[node].contains(&node) {
                component.sort_unstable();
                for &member in &component {
                    blocked[member] = true;
                }
                resolution.cycles.push(component);
            } else if self.uses[node].iter().any(|&used| blocked[used]) {
                blocked[node] = true;
            } else {
                resolution.order.push(node);
            }
        }
        resolution
    }
}

struct Tarjan<'a> {
    uses: &'a [Vec<usize>],
    index: Vec<Option<usize>>,
    low: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<usize>,
    next: usize,
    components: Vec<Vec<usize>>,
}

impl Tarjan<'_> {
    fn visit(&mut self, node: usize) {
        self.index[node] = Some(self.next);
        self.low[node] = self.next;
        self.next += 1;
        self.stack.push(node);
        self.on_stack[node] = true;
        for &used in &self.uses[node] {
            match self.index[used] {
                None => {
                    self.visit(used);
                    self.low[node] = self.low[node].min(self.low[used]);
                }
                Some(index) if self.on_stack[used] => {
                    self.low[node] = self.low[node].min(index);
                }
                Some(_) => {}
            }
        }
        if Some(self.low[node]) == self.index[node] {
            let mut component = Vec::new();
            while let Some(member) = self.stack.pop() {
                self.on_stack[member] = false;
                component.push(member);
                if member == node {
                    break;
                }
            }
            self.components.push(component);
        }
    }
}

/// The error for one cycle: at its first variable (written at `first`), with a label at
/// each other one that has a place (`-e` values have none) saying which variable of the
/// cycle it uses. `name(i)` and `span(i)` describe variable `i`.
pub fn cycle_diagnostic<'a>(
    cycle: &[usize],
    uses: &[Vec<usize>],
    name: impl Fn(usize) -> &'a str,
    first: Span,
    span: impl Fn(usize) -> Option<Span>,
) -> Diagnostic {
    let uses_label = |member: usize| {
        let used = uses[member]
            .iter()
            .find(|used| cycle.contains(used))
            .map_or(member, |&used| used);
        format!("uses `{}`", name(used))
    };
    let names: Vec<String> = cycle.iter().map(|&i| format!("`{}`", name(i))).collect();
    let message = match names.as_slice() {
        [one] => format!("variable {one} is defined from itself"),
        [init @ .., last] => format!(
            "variables {} and {last} are defined from each other",
            init.join(", ")
        ),
        [] => unreachable!("a cycle has a variable"),
    };
    let mut diagnostic =
        Diagnostic::new(Code::VariableCycle, first, message).label(uses_label(cycle[0]));
    for &member in &cycle[1..] {
        if let Some(at) = span(member) {
            diagnostic = diagnostic.with_label(at, uses_label(member));
        }
    }
    diagnostic.help("none of them has a value: define one of them without the others")
}

/// One variable visible in a scope, as the manifest writes it.
pub struct Written<'a> {
    pub name: &'a str,
    pub value: &'a Spanned<Value>,
}

/// Checks the variables visible in one scope (later ones override earlier ones of the same
/// name): cycles are errors at every variable of the cycle, and a value that would grow
/// past [`MAX_VALUE_BYTES`] is an error at the first variable that does. `names(text)` are
/// the variables a template names.
pub fn check(
    sources: &SourceMap,
    written: &[Written<'_>],
    names: impl Fn(&str) -> HashSet<String>,
    diagnostics: &mut Diagnostics,
) {
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, var) in written.iter().enumerate() {
        index.insert(var.name, i);
    }
    // Only the winning definition of each name takes part.
    let live: Vec<bool> = (0..written.len())
        .map(|i| index[written[i].name] == i)
        .collect();
    let texts: Vec<Vec<(&str, Span)>> = written
        .iter()
        .map(|var| {
            let mut texts = Vec::new();
            var.value.value.strings(var.value.span, &mut texts);
            texts
        })
        .collect();
    let graph = Graph {
        uses: (0..written.len())
            .map(|i| {
                let used: HashSet<String> = texts[i].iter().flat_map(|(t, _)| names(t)).collect();
                let mut used: Vec<usize> = used
                    .iter()
                    .filter_map(|name| index.get(name.as_str()).copied())
                    .filter(|_| live[i])
                    .collect();
                used.sort_unstable();
                used
            })
            .collect(),
    };
    let resolution = graph.resolution();
    for cycle in &resolution.cycles {
        diagnostics.push(cycle_diagnostic(
            cycle,
            &graph.uses,
            |i| written[i].name,
            written[cycle[0]].value.span,
            |i| Some(written[i].value.span),
        ));
    }
    // An estimate of each value's size: its text, plus each use of a variable times that
    // variable's size. Filters may shrink a value, but a value that doubles another in
    // each of twenty variables is no configuration.
    let mut size = vec![0usize; written.len()];
    for &i in resolution.order.iter().filter(|&&i| live[i]) {
        let mut total = 0usize;
        for (text, _) in &texts[i] {
            total = total.saturating_add(text.len());
            for &used in &graph.uses[i] {
                let count = super::templates::variable_uses(text, written[used].name);
                total = total.saturating_add(count.saturating_mul(size[used]));
            }
        }
        size[i] = total;
        let inherited = graph.uses[i].iter().any(|&u| size[u] > MAX_VALUE_BYTES);
        if total > MAX_VALUE_BYTES && !inherited {
            let span = written[i].value.span;
            let shown = sources.snap(span);
            diagnostics.push(
                Diagnostic::new(
                    Code::TemplateLimit,
                    shown,
                    format!(
                        "variable `{}` would expand to more than 1 MiB once its variables are inserted",
                        written[i].name,
                    ),
                )
                .label(format!("about {}", megabytes(total)))
                .help("a value may be at most 1 MiB: look for variables that repeat each other"),
            );
        }
    }
}

/// A whole `{{ name }}` where `ty` is expected, naming a variable that `literal` knows the
/// value of (one the manifest writes as it is, which neither the inventory nor `-e`
/// overrides), must have the shape of `ty`: a list where a list is expected, one value
/// where one value is. Binding checks every other case, with the host's values.
pub fn check_shape<'v>(
    sources: &SourceMap,
    value: &Spanned<ArgValue>,
    ty: &ArgType,
    literal: &impl Fn(&str) -> Option<&'v Spanned<Value>>,
    diagnostics: &mut Diagnostics,
) {
    match (&value.value, ty) {
        (ArgValue::List(items), ArgType::List(inner)) => {
            for item in items {
                check_shape(sources, item, inner, literal, diagnostics);
            }
        }
        (ArgValue::Map(entries), ArgType::Map(inner)) => {
            for (_, item) in entries {
                check_shape(sources, item, inner, literal, diagnostics);
            }
        }
        (ArgValue::Str(text), _) => {
            let Some(name) = whole_variable(text) else {
                return;
            };
            let Some(var) = literal(name) else {
                return;
            };
            let fits = match (ty, &var.value) {
                (ArgType::List(_), Value::List(_)) | (ArgType::Map(_), Value::Table(_)) => true,
                (ArgType::List(_) | ArgType::Map(_), _) => false,
                (_, found) => !matches!(found, Value::List(_) | Value::Table(_)),
            };
            if fits {
                return;
            }
            let help = match ty {
                ArgType::List(_) => format!(
                    "give `{name}` a list value, or write `[\"{{{{ {name} }}}}\"]` for a list of one"
                ),
                ArgType::Map(_) => format!("give `{name}` a table value"),
                _ => format!(
                    "use one item (`{{{{ {name}[0] }}}}`) or join them (`{{{{ {name} | join(' ') }}}}`)"
                ),
            };
            let at = super::templates::variable_span(sources, text, value.span, name);
            diagnostics.push(
                Diagnostic::new(
                    Code::WrongType,
                    at,
                    format!(
                        "`{name}` is {}; this argument takes {}",
                        var.value.kind(),
                        crate::diagnostic::article(&ty.describe())
                    ),
                )
                .label(format!(
                    "expected {}",
                    crate::diagnostic::article(&ty.describe())
                ))
                .with_label(var.span, format!("`{name}` is {} here", var.value.kind()))
                .help(help),
            );
        }
        _ => {}
    }
}

/// The variable a template is, when it is exactly `{{ name }}`.
pub fn whole_variable(text: &str) -> Option<&str> {
    if !crate::template::is_whole_expression(text) {
        return None;
    }
    let inner = text.trim().strip_prefix("{{")?.strip_suffix("}}")?.trim();
    let is_name = !inner.is_empty()
        && !inner.starts_with(|c: char| c.is_ascii_digit())
        && inner.chars().all(|c| c.is_alphanumeric() || c == '_');
    is_name.then_some(inner)
}

/// `bytes` for people: `3 MiB`, `2 TiB`.
fn megabytes(bytes: usize) -> String {
    const MIB: usize = 1 << 20;
    match bytes / MIB {
        n if n >= 1 << 40 => "more than a million TiB".to_owned(),
        n if n >= 1 << 20 => format!("{} TiB", n >> 20),
        n => format!("{n} MiB"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(uses: &[&[usize]]) -> Resolution {
        Graph {
            uses: uses.iter().map(|u| u.to_vec()).collect(),
        }
        .resolution()
    }

    #[test]
    fn used_variables_come_first() {
        let found = resolve(&[&[1], &[2], &[]]);
        assert_eq!(found.order, vec![2, 1, 0]);
        assert!(found.cycles.is_empty());
    }

    #[test]
    fn cycles_and_what_uses_them_have_no_order() {
        // 0 and 1 use each other, 2 uses itself, 3 uses the cycle, 4 is free.
        let found = resolve(&[&[1], &[0], &[2], &[0], &[]]);
        assert_eq!(found.order, vec![4]);
        let mut cycles = found.cycles;
        cycles.sort();
        assert_eq!(cycles, vec![vec![0, 1], vec![2]]);
    }
}
