//! The variables one op sees on one host, by precedence (see `inventory` for the order).

use std::collections::BTreeMap;

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
        set_table(&mut vars, &compiled.scopes[id.0].defaults);
    }
    for var in host.vars.iter().filter(|v| v.origin != "-e") {
        vars.insert(
            var.name.clone(),
            Var {
                value: to_json(&var.value),
                span: var.span,
            },
        );
    }
    for id in &chain {
        set_table(&mut vars, &compiled.scopes[id.0].params);
    }
    for var in host.vars.iter().filter(|v| v.origin == "-e") {
        vars.insert(
            var.name.clone(),
            Var {
                value: to_json(&var.value),
                span: var.span,
            },
        );
    }
    vars
}

fn set_table(vars: &mut Vars, table: &Table) {
    for (key, value) in table {
        vars.insert(
            key.value.clone(),
            Var {
                value: to_json(&value.value),
                span: Some(value.span),
            },
        );
    }
}

/// Variables whose values are templates (`url = "https://{{ site }}"`) are rendered against
/// the others, repeatedly, so they may refer to each other in any order. A reference cycle
/// or an undefined name is reported at the variable.
pub fn resolve(
    env: &Environment<'_>,
    vars: &mut Vars,
    extra: &serde_json::Value,
    diagnostics: &mut Diagnostics,
) -> bool {
    const PASSES: usize = 8;
    for _ in 0..PASSES {
        let context = context(vars, extra);
        let mut changed = false;
        for var in vars.values_mut() {
            if let Ok(rendered) = render_json(env, &var.value, &context)
                && rendered != var.value
            {
                var.value = rendered;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
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

fn render_json(
    env: &Environment<'_>,
    value: &serde_json::Value,
    context: &minijinja::Value,
) -> Result<serde_json::Value, minijinja::Error> {
    Ok(match value {
        serde_json::Value::String(s) if crate::check::templates::is_template(s) => {
            serde_json::Value::String(env.render_str(s, context)?)
        }
        serde_json::Value::Array(items) => items
            .iter()
            .map(|i| render_json(env, i, context))
            .collect::<Result<Vec<_>, _>>()?
            .into(),
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| Ok((k.clone(), render_json(env, v, context)?)))
            .collect::<Result<serde_json::Map<_, _>, minijinja::Error>>()?
            .into(),
        other => other.clone(),
    })
}
