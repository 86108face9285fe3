//! Loops expanded on one host: a looped op becomes one op per item, each bound with the
//! item in scope (its `when` decided per item), with an id (`ID[0]`, `ID[1]`; `ID[0][1]`
//! inside a looped include) and a label that show the item.
//!
//! What a loop goes over is rendered here, per host, since inventory variables and facts
//! differ: a list gives its items, a map its entries as `{key, value}` in their order, and
//! anything else is `kiln::invalid-loop` at the loop. An empty list gives no op at all.
//! An include's loop repeats all the ops inside it for one item before the next item's
//! (`X[0]`, `Y[0]`, `X[1]`, `Y[1]`), as Ansible's `include_tasks` with `loop` does.
//!
//! Invariant: the ops come out in the order they run, each with its place in the manifest
//! (the same on every host) and, for a looped op, its iteration's number among that op's
//! iterations on this host: together they name the op's functions in the script.

use std::collections::BTreeSet;
use std::rc::Rc;

use super::{Binder, ScopeContext, vars};
use crate::check::loops::{INDEX, Loop};
use crate::check::{ScopeId, TypedOp};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::Value;
use crate::template::secret::MASK;

/// An item's label is shortened past this many characters.
const SHOWN_MAX: usize = 40;

/// One item of one loop around an op.
#[derive(Clone, Debug)]
pub struct LoopItem {
    /// The variable it is bound to.
    pub var: String,
    pub value: serde_json::Value,
    /// Its place among the loop's items, from 0.
    pub index: usize,
    /// What labels show of it: `loop_label` rendered, else the item (a map's entry: its key).
    pub shown: String,
    /// Made from a secret: shown `***`.
    pub secret: bool,
    /// The item of an include's loop, which the included file's variables may use.
    pub of_include: bool,
}

/// The items an op runs with, one per loop around it, outermost first.
#[derive(Clone, Debug, Default)]
pub struct Iteration {
    pub items: Vec<LoopItem>,
    /// Its place among the iterations of its op on this host, from 0.
    pub number: usize,
}

impl Iteration {
    /// `ID[0][1]`: the op's id with each loop's index.
    pub fn id(&self, base: &str) -> String {
        let mut id = base.to_owned();
        for item in &self.items {
            id.push_str(&format!("[{}]", item.index));
        }
        id
    }

    /// `LABEL (item=a, user=b)`: the op's label with each loop's item.
    pub fn label(&self, base: &str) -> String {
        let shown: Vec<String> = self
            .items
            .iter()
            .map(|item| format!("{}={}", item.var, item.shown))
            .collect();
        format!("{base} ({})", shown.join(", "))
    }

    /// The variables the items bind: each loop's, and `loop_index`, the innermost's index.
    pub(super) fn variables(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut variables: serde_json::Map<String, serde_json::Value> = self
            .items
            .iter()
            .map(|item| (item.var.clone(), item.value.clone()))
            .collect();
        if let Some(innermost) = self.items.last() {
            variables.insert(INDEX.to_owned(), innermost.index.into());
        }
        variables
    }

    /// The variables whose item is secret.
    pub(super) fn secret_names(&self) -> impl Iterator<Item = String> + '_ {
        self.items
            .iter()
            .filter(|item| item.secret)
            .map(|item| item.var.clone())
    }
}

/// One op as the host runs it: its place among the manifest's ops (from 0), and its
/// iteration when it loops.
pub struct Run<'c> {
    pub place: usize,
    pub op: &'c TypedOp,
    pub iteration: Option<Iteration>,
}

impl<'c> Binder<'_> {
    /// The ops of `ops` as this host runs them, loops expanded, from the one `--start-at`
    /// names when it names a loop's item (`start_item`). A loop whose items cannot be had
    /// is reported, and its ops left out.
    pub fn runs(&mut self, ops: &'c [TypedOp], start_item: Option<&str>) -> Vec<Run<'c>> {
        let mut expansion = Expansion {
            ops,
            numbers: vec![0; ops.len()],
            runs: Vec::with_capacity(ops.len()),
        };
        self.expand(&mut expansion, 0..ops.len(), &Iteration::default());
        let mut runs = expansion.runs;
        let Some(start) = start_item else {
            return runs;
        };
        let first = runs.iter().position(|run| {
            let base = super::id(run.op, &super::origin(self.sources, run.op));
            run.iteration.as_ref().is_some_and(|i| i.id(&base) == start)
        });
        match first {
            Some(first) => {
                runs.drain(..first);
            }
            None => {
                let looped = ops.iter().find_map(|op| op.globals.loops.first());
                if let Some(looped) = looped {
                    self.diagnostics.push(
                        Diagnostic::new(
                            Code::InvalidLoop,
                            looped.over.span,
                            format!("--start-at: this host's loops have no item `{start}`"),
                        )
                        .label("the loop")
                        .help("an item's id is its op's id and its index from 0 (`ID[0]`): this host's loop has fewer items"),
                    );
                }
                runs.clear();
            }
        }
        runs
    }

    /// Expands the ops at `places` inside the loops of `outer`'s items.
    fn expand(
        &mut self,
        expansion: &mut Expansion<'c>,
        places: std::ops::Range<usize>,
        outer: &Iteration,
    ) {
        let depth = outer.items.len();
        let mut place = places.start;
        while place < places.end {
            let op = &expansion.ops[place];
            let Some(this) = op.globals.loops.get(depth) else {
                let iteration = (depth > 0).then(|| Iteration {
                    number: expansion.next(place),
                    ..outer.clone()
                });
                expansion.runs.push(Run {
                    place,
                    op,
                    iteration,
                });
                place += 1;
                continue;
            };
            // An include's loop repeats every op inside it, in order, per item.
            let end = match this.include {
                Some(include) => {
                    let inside = |o: &&TypedOp| {
                        o.globals
                            .loops
                            .get(depth)
                            .is_some_and(|l| l.include == Some(include))
                    };
                    place
                        + expansion.ops[place..places.end]
                            .iter()
                            .take_while(inside)
                            .count()
                }
                None => place + 1,
            };
            for item in self.items(this, outer).unwrap_or_default() {
                let mut inner = outer.clone();
                inner.items.push(item);
                self.expand(expansion, place..end, &inner);
            }
            place = end;
        }
    }

    /// The items of `this` loop on this host, inside `outer`'s; none (reported) when what
    /// it goes over cannot be rendered or is not a list or a map.
    fn items(&mut self, this: &Loop, outer: &Iteration) -> Option<Vec<LoopItem>> {
        let context = self.context_in(this.scope, outer)?;
        let (rendered, secret) = match &this.over.value {
            Value::Str(text) => self.render_native(text, this.over.span, &context)?,
            written => {
                let json = crate::model::value::to_json(written);
                let tainted =
                    !vars::template_names(&self.envs.plain, &json).is_disjoint(&context.secret);
                match vars::render_json(&self.envs, &json, &context.value, &context.secret) {
                    Ok((value, filtered)) => (value, tainted || filtered),
                    Err(error) => {
                        self.diagnostics
                            .push(super::render_error(this.over.span, &error, "loop"));
                        return None;
                    }
                }
            }
        };
        let values: Vec<serde_json::Value> = match rendered {
            serde_json::Value::Array(items) => items,
            serde_json::Value::Object(entries) => entries
                .into_iter()
                .map(|(key, value)| serde_json::json!({ "key": key, "value": value }))
                .collect(),
            other => {
                let found = match other {
                    serde_json::Value::String(_) => "a string",
                    serde_json::Value::Null => "none",
                    _ => "a single value",
                };
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidLoop,
                        this.over.span,
                        format!("this loop goes over {found} on this host, not a list or a map"),
                    )
                    .label("rendered for this host")
                    .help("check the variable's value for this host (`kiln inventory` shows it); a loop over one value is a loop over `[value]`"),
                );
                return None;
            }
        };
        if secret {
            for value in &values {
                self.secrets.add_json(value);
            }
        }
        let mut items = Vec::with_capacity(values.len());
        for (index, value) in values.into_iter().enumerate() {
            let mut item = LoopItem {
                var: this.var.clone(),
                shown: String::new(),
                value,
                index,
                secret,
                of_include: this.include.is_some(),
            };
            item.shown = self.shown(this, outer, &item)?;
            items.push(item);
        }
        Some(items)
    }

    /// What labels show of `item`: `***` for a secret one, `loop_label` rendered with it,
    /// else the item itself (a map's entry: its key), shortened.
    fn shown(&mut self, this: &Loop, outer: &Iteration, item: &LoopItem) -> Option<String> {
        if item.secret {
            return Some(MASK.to_owned());
        }
        let text = match &this.label {
            Some(label) => {
                let mut with = outer.clone();
                with.items.push(item.clone());
                let context = self.context_in(this.scope, &with)?;
                let (text, secret) = self.render_str(&label.value, label.span, false, &context)?;
                if secret { MASK.to_owned() } else { text }
            }
            None => match &item.value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Object(entry)
                    if entry.len() == 2 && entry.contains_key("key") =>
                {
                    entry["key"]
                        .as_str()
                        .map_or_else(|| entry["key"].to_string(), str::to_owned)
                }
                other => other.to_string(),
            },
        };
        Some(shorten(&text))
    }

    /// The template context of `scope` inside `iteration`'s loops: the scope's, with the
    /// items bound; made afresh when an include's item is among them (the included file's
    /// variables may be made from it).
    pub(super) fn context_in(
        &mut self,
        scope: ScopeId,
        iteration: &Iteration,
    ) -> Option<ScopeContext> {
        if iteration.items.is_empty() {
            return self.context(scope);
        }
        let variables = iteration.variables();
        let base = if iteration.items.iter().any(|item| item.of_include) {
            self.resolve_context(scope, &variables)?
        } else {
            self.context(scope)?
        };
        let bound = minijinja::Value::from(minijinja::value::Serde(&variables));
        let mut secret: BTreeSet<String> = (*base.secret).clone();
        secret.extend(iteration.secret_names());
        Some(ScopeContext {
            value: minijinja::context! { ..bound, ..base.value },
            secret: Rc::new(secret),
        })
    }
}

/// The ops being expanded, and what the expansion made so far.
struct Expansion<'c> {
    ops: &'c [TypedOp],
    /// How many iterations each op has had so far.
    numbers: Vec<usize>,
    runs: Vec<Run<'c>>,
}

impl Expansion<'_> {
    /// The number of the next iteration of the op at `place`.
    fn next(&mut self, place: usize) -> usize {
        let number = self.numbers[place];
        self.numbers[place] += 1;
        number
    }
}

/// `text` on one line, at most [`SHOWN_MAX`] characters.
fn shorten(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= SHOWN_MAX {
        return one_line;
    }
    let cut: String = one_line.chars().take(SHOWN_MAX).collect();
    format!("{cut}…")
}
