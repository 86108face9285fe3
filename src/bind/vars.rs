//! The variables one op sees on one host, by precedence (see `inventory` for the order),
//! and which of them are secret (see `secret`).

use std::collections::{BTreeMap, BTreeSet};

use minijinja::Environment;

use super::Environments;
use crate::check::variables::{Graph, cycle_diagnostic};
use crate::check::{Compiled, ScopeId};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::inventory::Host;
use crate::model::Table;
use crate::model::value::to_json;
use crate::source::Span;

/// A variable's value and where it was written (for errors while rendering it).
#[derive(Clone, Debug)]
pub struct Var {
    pub value: serde_json::Value,
    pub span: Option<Span>,
    /// Never shown: marked secret at some level, or made from a secret.
    pub secret: bool,
}

pub type Vars = BTreeMap<String, Var>;

/// Variables in `scope` for `host`: the scope chain's defaults (outer first), the host's
/// inventory variables, the chain's include parameters (outer first), then `-e`.
pub fn scope_vars(compiled: &Compiled, scope: ScopeId, host: &Host) -> Vars {
    let mut chain = Vec::new();
    let mut next = Some(scope);
    while let Some(id) = next {
        chain.push(id);
        next = compiled.scopes[id.0].parent;
    }
    chain.reverse();
    let mut vars = Vars::new();
    for id in &chain {
        let scope = &compiled.scopes[id.0];
        set_table(&mut vars, &scope.defaults, &scope.secrets);
    }
    let (command_line, inventory): (Vec<_>, Vec<_>) =
        host.vars.iter().partition(|v| v.from_command_line());
    set_host_vars(&mut vars, &inventory);
    for id in &chain {
        let scope = &compiled.scopes[id.0];
        set_table(&mut vars, &scope.params, &scope.secrets);
    }
    set_host_vars(&mut vars, &command_line);
    vars
}

fn set_table(vars: &mut Vars, table: &Table, secrets: &[String]) {
    for (key, value) in table {
        let var = Var {
            value: to_json(&value.value),
            span: Some(value.span),
            secret: secrets.contains(&key.value),
        };
        set(vars, &key.value, var);
    }
}

fn set_host_vars(vars: &mut Vars, host_vars: &[&crate::inventory::HostVar]) {
    for var in host_vars {
        let value = Var {
            value: to_json(&var.value),
            span: var.span,
            secret: var.secret,
        };
        set(vars, &var.name, value);
    }
}

/// A higher level's value replaces a lower one's; once secret, a variable stays secret.
fn set(vars: &mut Vars, name: &str, mut var: Var) {
    if let Some(lower) = vars.get(name) {
        var.secret |= lower.secret;
    }
    vars.insert(name.to_owned(), var);
}

/// The secret variables' names.
pub fn secret_names(vars: &Vars) -> BTreeSet<String> {
    vars.iter()
        .filter(|(_, var)| var.secret)
        .map(|(name, _)| name.clone())
        .collect()
}

/// Variables whose values are templates (`url = "https://{{ site }}"`) are rendered against
/// the others, each once, after the ones it uses (see `check::variables`), so they may refer
/// to each other in any order. A value that is one whole `{{ expression }}` keeps the
/// expression's type (a list stays a list); other templates are text. A cycle, an undefined
/// name or a runaway value is reported at the variable. A variable made from a secret one,
/// or with the `secret` filter, is secret.
pub fn resolve(
    envs: &Environments,
    vars: &mut Vars,
    extra: &serde_json::Value,
    diagnostics: &mut Diagnostics,
) -> bool {
    let names: Vec<String> = vars.keys().cloned().collect();
    // The names each value uses, as written.
    let used: Vec<BTreeSet<String>> = vars
        .values()
        .map(|var| template_names(&envs.plain, &var.value))
        .collect();
    let graph = uses_graph(&names, &used);
    let resolution = graph.resolution();
    report_cycles(&resolution.cycles, &graph, &names, vars, diagnostics);
    let uses: Vec<(String, BTreeSet<String>)> = names.iter().cloned().zip(used).collect();
    taint(vars, &uses);
    let secret = secret_names(vars);
    let facts_known = extra.get("facts").is_some_and(|f| !f.is_null());
    let mut ok = resolution.cycles.is_empty();
    let mut rendered = vec![false; names.len()];
    for &i in &resolution.order {
        if !graph.uses[i].iter().all(|&used| rendered[used]) {
            // Made from a value that failed, reported there.
            continue;
        }
        let name = &names[i];
        // Only what the value uses: the variables it names (rendered already) and `extra`.
        let context = context(
            &graph.uses[i]
                .iter()
                .map(|&u| (names[u].clone(), vars[&names[u]].clone()))
                .collect(),
            extra,
        );
        let var = &vars[name];
        match render_json(envs, &var.value, &context, &secret) {
            Ok((value, filtered)) => {
                rendered[i] = true;
                let var = vars.get_mut(name).expect("a variable of the graph");
                var.value = value;
                var.secret |= filtered;
            }
            Err(error) => {
                ok = false;
                if let Some(span) = var.span {
                    let needs_facts = !facts_known
                        && error.kind() == minijinja::ErrorKind::UndefinedError
                        && uses[i].1.contains("facts");
                    diagnostics.push(variable_error(name, span, &error, needs_facts));
                }
            }
        }
    }
    // Values in a cycle, or made from one, were never rendered: none may be used.
    ok && rendered.iter().all(|r| *r)
}

/// Which variables (by index in `names`) each value uses.
fn uses_graph(names: &[String], used: &[BTreeSet<String>]) -> Graph {
    let index: BTreeMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, name)| (name.as_str(), i))
        .collect();
    Graph {
        uses: used
            .iter()
            .map(|u| {
                u.iter()
                    .filter_map(|n| index.get(n.as_str()).copied())
                    .collect()
            })
            .collect(),
    }
}

/// Reports each cycle of variables defined from each other. Values given with `-e` have
/// no place to point at: the cycle is shown from the first of its variables that has one
/// (if none has, the ops say it).
fn report_cycles(
    cycles: &[Vec<usize>],
    graph: &Graph,
    names: &[String],
    vars: &Vars,
    diagnostics: &mut Diagnostics,
) {
    let span = |i: usize| vars[&names[i]].span;
    for cycle in cycles {
        let Some(start) = cycle.iter().position(|&i| span(i).is_some()) else {
            continue;
        };
        let mut cycle = cycle.clone();
        cycle.rotate_left(start);
        let first = span(cycle[0]).expect("found with a span");
        diagnostics.push(cycle_diagnostic(
            &cycle,
            &graph.uses,
            |i| names[i].as_str(),
            first,
            span,
        ));
    }
}

/// Why variable `name`, written at `span`, could not be rendered.
fn variable_error(
    name: &str,
    span: Span,
    error: &minijinja::Error,
    needs_facts: bool,
) -> Diagnostic {
    let detail = super::error_detail(error);
    if needs_facts {
        return super::missing_facts(span, &format!("variable `{name}`"));
    }
    let (code, help) = super::template_error(error);
    Diagnostic::new(
        code,
        span,
        format!("cannot render variable `{name}`: {detail}"),
    )
    .label("this value")
    .help(help)
}

/// The template context: variables plus `facts` and `host` (in `extra`).
pub fn context(vars: &Vars, extra: &serde_json::Value) -> minijinja::Value {
    let mut map: serde_json::Map<String, serde_json::Value> = vars
        .iter()
        .map(|(k, v)| (k.clone(), v.value.clone()))
        .collect();
    if let serde_json::Value::Object(extra) = extra {
        map.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    minijinja::Value::from(minijinja::value::Serde(&map))
}

/// Marks secret every variable whose value uses a secret one, until none changes.
fn taint(vars: &mut Vars, uses: &[(String, BTreeSet<String>)]) {
    loop {
        let secret = secret_names(vars);
        let mut changed = false;
        for (name, used) in uses {
            if let Some(var) = vars.get_mut(name)
                && !var.secret
                && !used.is_disjoint(&secret)
            {
                var.secret = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// The variables the templates in `value` name.
pub fn template_names(env: &Environment<'_>, value: &serde_json::Value) -> BTreeSet<String> {
    match value {
        serde_json::Value::String(s) if crate::template::is_template(s) => env
            .template_from_str(s)
            .map(|t| t.undeclared_variables(false).into_iter().collect())
            .unwrap_or_default(),
        serde_json::Value::Array(items) => {
            items.iter().flat_map(|i| template_names(env, i)).collect()
        }
        serde_json::Value::Object(map) => {
            map.values().flat_map(|v| template_names(env, v)).collect()
        }
        _ => BTreeSet::new(),
    }
}

/// `value` with its templates rendered, and whether one of them used the `secret` filter:
/// a whole `{{ expression }}` as the expression's value, other templates as text.
pub(super) fn render_json(
    envs: &Environments,
    value: &serde_json::Value,
    context: &minijinja::Value,
    secret: &BTreeSet<String>,
) -> Result<(serde_json::Value, bool), minijinja::Error> {
    let mut filtered = false;
    let mut render = |v: &serde_json::Value| {
        let (rendered, tainted) = render_json(envs, v, context, secret)?;
        filtered |= tainted;
        Ok::<_, minijinja::Error>(rendered)
    };
    let rendered = match value {
        serde_json::Value::String(s) if crate::template::is_template(s) => {
            let (value, tainted) = envs.render(s, context, secret)?;
            filtered = tainted;
            value
        }
        serde_json::Value::Array(items) => items
            .iter()
            .map(&mut render)
            .collect::<Result<Vec<_>, _>>()?
            .into(),
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| Ok((k.clone(), render(v)?)))
            .collect::<Result<serde_json::Map<_, _>, minijinja::Error>>()?
            .into(),
        other => other.clone(),
    };
    Ok((rendered, filtered))
}
