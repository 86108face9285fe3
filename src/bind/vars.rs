//! The variables one op sees on one host, by precedence (see `inventory` for the order),
//! and which of them are secret (see `secret`).

use std::collections::{BTreeMap, BTreeSet};

use minijinja::Environment;

use crate::check::{Compiled, ScopeId};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
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
/// the others, repeatedly, so they may refer to each other in any order. A reference cycle
/// or an undefined name is reported at the variable. A variable made from a secret one,
/// or with the `secret` filter, is secret.
pub fn resolve(
    env: &Environment<'_>,
    vars: &mut Vars,
    extra: &serde_json::Value,
    diagnostics: &mut Diagnostics,
) -> bool {
    // The names each value uses, as written (rendering replaces the templates).
    let uses: Vec<(String, BTreeSet<String>)> = vars
        .iter()
        .map(|(name, var)| (name.clone(), template_names(env, &var.value)))
        .collect();
    const PASSES: usize = 8;
    for _ in 0..PASSES {
        let context = context(vars, extra);
        let mut changed = false;
        for var in vars.values_mut() {
            if let Ok((rendered, filtered)) = render_json(env, &var.value, &context) {
                var.secret |= filtered;
                if rendered != var.value {
                    var.value = rendered;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    taint(vars, &uses);
    let context = context(vars, extra);
    let mut ok = true;
    for (name, var) in vars.iter() {
        if let Err(error) = render_json(env, &var.value, &context) {
            ok = false;
            let message = format!(
                "cannot render variable `{name}`: {}",
                error.detail().unwrap_or("template error")
            );
            if let Some(span) = var.span {
                diagnostics.push(
                    Diagnostic::new(Code::UndefinedVariable, span, message)
                        .label("this value")
                        .help("variables may refer to each other, but not in a cycle"),
                );
            }
        }
    }
    ok
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
fn template_names(env: &Environment<'_>, value: &serde_json::Value) -> BTreeSet<String> {
    match value {
        serde_json::Value::String(s) if crate::check::templates::is_template(s) => env
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

/// `value` with its templates rendered, and whether one of them used the `secret` filter.
fn render_json(
    env: &Environment<'_>,
    value: &serde_json::Value,
    context: &minijinja::Value,
) -> Result<(serde_json::Value, bool), minijinja::Error> {
    let mut filtered = false;
    let mut render = |v: &serde_json::Value| {
        let (rendered, secret) = render_json(env, v, context)?;
        filtered |= secret;
        Ok::<_, minijinja::Error>(rendered)
    };
    let rendered = match value {
        serde_json::Value::String(s) if crate::check::templates::is_template(s) => {
            let (text, secret) = super::secret::render(env, s, context, &BTreeSet::new())?;
            filtered = secret;
            serde_json::Value::String(text)
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
