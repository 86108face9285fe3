//! Binding: a checked manifest and one host make a [`HostPlan`].
//!
//! Per host, variables are merged by precedence, every templated argument is rendered (and
//! re-validated: a path must still be absolute once rendered), `when` is decided, and
//! `hosts`/`groups` limits are applied. Nothing here knows about shell; that is `lower`'s job.

pub mod vars;
pub mod when;

use std::collections::HashMap;

use minijinja::{Environment, UndefinedBehavior};

use crate::check::{Compiled, OpKind, ScopeId, TypedOp, UserOp};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::facts::Facts;
use crate::inventory::Host;
use crate::ops::args::{ArgValue, OpArgs};
use crate::ops::def::ArgType;
use crate::shell::{Sh, UserShell, quote};
use crate::source::{SourceMap, Span, Spanned};

/// Who an op runs as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Become {
    /// Whoever runs the script.
    Current,
    Sudo(String),
    Su(String),
}

impl Become {
    /// The runtime library's name for the way (`sudo` or `su`, as `k_as` and
    /// `k_become_check` take it) and the user; none for the current user.
    pub fn how(&self) -> Option<(&'static str, &str)> {
        match self {
            Become::Current => None,
            Become::Sudo(user) => Some(("sudo", user)),
            Become::Su(user) => Some(("su", user)),
        }
    }
}

/// One op, bound to one host.
#[derive(Clone, Debug)]
pub struct BoundOp<'c> {
    pub op: &'c TypedOp,
    /// The explicit `id`, else `file:line`.
    pub id: String,
    /// `file:line` of the op.
    pub origin: String,
    /// What plans and reports call it: its `name`, else the op and its main argument.
    pub label: String,
    /// Arguments with templates rendered for this host.
    pub args: OpArgs,
    /// Why the op does not run on this host (`when` false, a `hosts`/`groups` limit).
    pub skip: Option<String>,
    pub become_: Become,
    /// Indices into [`HostPlan::handlers`] of the handlers this op notifies.
    pub notify: Vec<usize>,
    /// A user-defined op's probe and apply, rendered with its arguments.
    pub user_scripts: Option<UserScripts>,
    /// The template context the arguments were rendered with (an `Arc` clone), for ops
    /// that render a template file at lowering.
    pub context: minijinja::Value,
    /// A condition over facts only the host knows, as a shell test run there.
    pub runtime_when: Option<Sh>,
}

/// The rendered shell of a user-defined op.
#[derive(Clone, Debug)]
pub struct UserScripts {
    pub probe: Option<UserShell>,
    pub apply: UserShell,
}

/// Everything one host runs, in order.
#[derive(Debug)]
pub struct HostPlan<'c> {
    pub host: &'c Host,
    pub ops: Vec<BoundOp<'c>>,
    pub handlers: Vec<BoundOp<'c>>,
}

/// Binds `compiled` to `host`. `facts` are the host's facts when known (from `--facts`,
/// or gathered); a `when` that needs them fails to bind without them.
pub fn bind<'c>(
    sources: &SourceMap,
    compiled: &'c Compiled,
    host: &'c Host,
    facts: Option<&Facts>,
    diagnostics: &mut Diagnostics,
) -> Option<HostPlan<'c>> {
    let mut binder = Binder {
        sources,
        host,
        facts,
        compiled,
        plain: environment(false),
        shell: environment(true),
        contexts: HashMap::new(),
        diagnostics,
    };
    let handler_ids: Vec<Option<&str>> = compiled
        .handlers
        .iter()
        .map(|h| h.globals.id.as_ref().map(|id| id.value.as_str()))
        .collect();
    let ops: Vec<BoundOp> = compiled
        .ops
        .iter()
        .map(|op| binder.op(op, &handler_ids))
        .collect();
    let handlers: Vec<BoundOp> = compiled
        .handlers
        .iter()
        .map(|op| binder.op(op, &handler_ids))
        .collect();
    (!binder.diagnostics.has_errors()).then_some(HostPlan {
        host,
        ops,
        handlers,
    })
}

/// A template environment. The shell one quotes every value it inserts, so variables in
/// commands are always single words; `| safe` opts out.
fn environment(shell: bool) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // File contents are templates too: their last newline is content.
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build()
            .expect("the default delimiters are valid"),
    );
    // A template that loops for ever fails instead of hanging the run.
    env.set_fuel(Some(50_000_000));
    if shell {
        env.set_formatter(|out, state, value| {
            if value.is_safe() {
                minijinja::escape_formatter(out, state, value)
            } else {
                out.write_str(&quote(&value.to_string()))?;
                Ok(())
            }
        });
    }
    env
}

struct Binder<'a> {
    sources: &'a SourceMap,
    host: &'a Host,
    facts: Option<&'a Facts>,
    compiled: &'a Compiled,
    plain: Environment<'static>,
    shell: Environment<'static>,
    /// The template context of each scope on this host.
    contexts: HashMap<ScopeId, Option<minijinja::Value>>,
    diagnostics: &'a mut Diagnostics,
}

impl<'c> Binder<'_> {
    fn op(&mut self, op: &'c TypedOp, handler_ids: &[Option<&str>]) -> BoundOp<'c> {
        let origin = {
            let (line, _) = self
                .sources
                .line_col(op.origin.file, op.origin.start as usize);
            format!("{}:{line}", self.sources.file(op.origin.file).name)
        };
        let id = op
            .globals
            .id
            .as_ref()
            .map_or_else(|| origin.clone(), |id| id.value.clone());
        let notify = op
            .globals
            .notify
            .iter()
            .filter_map(|n| {
                handler_ids
                    .iter()
                    .position(|h| *h == Some(n.value.as_str()))
            })
            .collect();
        let become_ = match (&op.globals.su_user, &op.globals.sudo_user, op.globals.sudo) {
            (Some(user), _, _) => Become::Su(user.value.clone()),
            (None, Some(user), _) => Become::Sudo(user.value.clone()),
            (None, None, true) => Become::Sudo("root".into()),
            (None, None, false) => Become::Current,
        };
        let mut bound = BoundOp {
            op,
            id,
            origin,
            label: String::new(),
            args: OpArgs::default(),
            skip: self.limit(op),
            become_,
            notify,
            user_scripts: None,
            context: minijinja::Value::UNDEFINED,
            runtime_when: None,
        };
        let Some(context) = self.context(op.scope) else {
            return bound;
        };
        bound.context = context.clone();
        if bound.skip.is_none() {
            bound.skip = self.when(op, &context, &mut bound.runtime_when);
        }
        for (name, value) in op.args.iter() {
            let ty = arg_type(&op.kind, name);
            if let Some(rendered) = self.render(value, &ty, &context) {
                bound.args.insert(name.to_owned(), rendered);
            }
        }
        if let OpKind::User(user) = &op.kind {
            bound.user_scripts = self.user_scripts(user, &bound.args, &context);
        }
        bound.label = match &op.globals.name {
            Some(name) => self
                .render_str(&name.value, name.span, false, &context)
                .unwrap_or_default(),
            None => label(op, &bound.args),
        };
        bound
    }

    /// Renders a user op's probe and apply with its parameters (given, else defaults) on
    /// top of the scope's variables.
    fn user_scripts(
        &mut self,
        user: &UserOp,
        args: &OpArgs,
        context: &minijinja::Value,
    ) -> Option<UserScripts> {
        let mut params = serde_json::Map::new();
        for param in &user.params {
            let value = args.get(&param.name.value).or(param.default.as_ref());
            if let Some(value) = value {
                params.insert(param.name.value.clone(), arg_json(&value.value));
            }
        }
        let params = minijinja::Value::from(minijinja::value::Serde(&params));
        let context = minijinja::context! { ..params, ..context.clone() };
        let probe = match &user.probe {
            Some(p) => Some(UserShell(
                self.render_str(&p.value, p.span, true, &context)?,
            )),
            None => None,
        };
        let apply =
            UserShell(self.render_str(&user.apply.value, user.apply.span, true, &context)?);
        Some(UserScripts { probe, apply })
    }

    /// A `hosts` / `groups` limit that excludes this host.
    fn limit(&self, op: &TypedOp) -> Option<String> {
        let g = &op.globals;
        if g.hosts.is_empty() && g.groups.is_empty() {
            return None;
        }
        let listed = g.hosts.iter().any(|h| h.value == self.host.name);
        let in_group = g
            .groups
            .iter()
            .any(|grp| self.host.groups.contains(&grp.value));
        (!listed && !in_group).then(|| "not for this host".to_owned())
    }

    /// Decides `when` now, or (for facts only the host knows) adds its shell test to
    /// `runtime`. Returns why the op is skipped, if it is.
    fn when(
        &mut self,
        op: &TypedOp,
        context: &minijinja::Value,
        runtime: &mut Option<Sh>,
    ) -> Option<String> {
        for condition in &op.globals.when {
            if self.facts.is_none() && condition.value.contains("facts") {
                let var = |name: &str| {
                    let value = self
                        .plain
                        .compile_expression(name)
                        .ok()?
                        .eval(context)
                        .ok()?;
                    serde_json::to_value(&value).ok()
                };
                match when::to_shell(&condition.value, &var) {
                    Ok(test) => {
                        let combined = runtime.get_or_insert_with(Sh::new);
                        if !combined.is_empty() {
                            combined.code(" && ");
                        }
                        combined.push(&test);
                    }
                    Err(why) => self.diagnostics.push(
                        Diagnostic::new(Code::InvalidWhen, condition.span, format!("this condition cannot be decided on the host: {why}"))
                            .label("uses facts only the host knows")
                            .help("pass the host's facts with `--facts FILE` (from `kiln facts HOST --json`) to decide it at emit time"),
                    ),
                }
                continue;
            }
            let result = self
                .plain
                .compile_expression(&condition.value)
                .and_then(|expression| expression.eval(context));
            match result {
                Ok(value) if value.is_true() => {}
                Ok(_) => return Some(format!("`{}` is false", condition.value)),
                Err(error) => {
                    self.diagnostics
                        .push(render_error(condition.span, &error, "condition"));
                    return None;
                }
            }
        }
        None
    }

    fn render(
        &mut self,
        value: &Spanned<ArgValue>,
        ty: &ArgType,
        context: &minijinja::Value,
    ) -> Option<Spanned<ArgValue>> {
        let rendered = match (&value.value, ty) {
            (ArgValue::Str(text), ArgType::Bool | ArgType::Int { .. } | ArgType::Duration) => {
                let rendered = self.render_str(text, value.span, false, context)?;
                self.typed_scalar(&rendered, ty, value.span)?
            }
            (ArgValue::Str(text), _) => {
                let shell = *ty == ArgType::Shell;
                let text = self.render_str(text, value.span, shell, context)?;
                if !crate::check::types::valid_string(ty, &text, value.span, self.diagnostics) {
                    return None;
                }
                ArgValue::Str(text)
            }
            (ArgValue::List(items), ArgType::List(inner)) => ArgValue::List(
                items
                    .iter()
                    .map(|i| self.render(i, inner, context))
                    .collect::<Option<_>>()?,
            ),
            (ArgValue::Map(entries), ArgType::Map(inner)) => ArgValue::Map(
                entries
                    .iter()
                    .map(|(k, v)| Some((k.clone(), self.render(v, inner, context)?)))
                    .collect::<Option<_>>()?,
            ),
            (other, _) => other.clone(),
        };
        Some(Spanned::new(rendered, value.span))
    }

    /// A rendered template where a boolean, integer or duration is expected.
    fn typed_scalar(&mut self, text: &str, ty: &ArgType, span: Span) -> Option<ArgValue> {
        let trimmed = text.trim();
        let parsed = match ty {
            ArgType::Bool => match trimmed {
                "true" | "True" => Some(ArgValue::Bool(true)),
                "false" | "False" => Some(ArgValue::Bool(false)),
                _ => None,
            },
            ArgType::Int { min, max } => trimmed
                .parse::<i64>()
                .ok()
                .filter(|n| (min..=max).contains(&n))
                .map(ArgValue::Int),
            _ => crate::check::types::parse_duration(trimmed).map(ArgValue::Int),
        };
        if parsed.is_none() {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::WrongType,
                    span,
                    format!(
                        "this renders to `{text}`, which is not {}",
                        article(&ty.describe())
                    ),
                )
                .label("rendered for this host")
                .help("check the variable's value for this host (`kiln inventory` shows it)"),
            );
        }
        parsed
    }

    fn render_str(
        &mut self,
        text: &str,
        span: Span,
        shell: bool,
        context: &minijinja::Value,
    ) -> Option<String> {
        if !crate::check::templates::is_template(text) {
            return Some(text.to_owned());
        }
        let env = if shell { &self.shell } else { &self.plain };
        match env.render_str(text, context) {
            Ok(rendered) => Some(rendered),
            Err(error) => {
                let at = self
                    .sources
                    .locate_within(span, text)
                    .map_or(span, |inner| match error.range() {
                        Some(range) => inner.subspan(range),
                        None => inner,
                    });
                self.diagnostics.push(render_error(at, &error, "template"));
                None
            }
        }
    }

    /// The template context of `scope` on this host, built once.
    fn context(&mut self, scope: ScopeId) -> Option<minijinja::Value> {
        if let Some(context) = self.contexts.get(&scope) {
            return context.clone();
        }
        let mut scope_vars = vars::scope_vars(self.compiled, scope, self.host);
        let extra = serde_json::json!({
            "facts": self.facts.map_or(serde_json::Value::Null, |f| f.0.clone()),
            "host": {
                "name": self.host.name,
                "target": self.host.target.to_string(),
                "groups": self.host.groups,
            },
        });
        let context = vars::resolve(&self.plain, &mut scope_vars, &extra, self.diagnostics)
            .then(|| vars::context(&scope_vars, &extra));
        self.contexts.insert(scope, context.clone());
        context
    }
}

fn article(noun: &str) -> String {
    let vowel = noun.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

fn render_error(span: Span, error: &minijinja::Error, what: &str) -> Diagnostic {
    let detail = error
        .detail()
        .map_or_else(|| error.kind().to_string(), str::to_owned);
    Diagnostic::new(
        Code::UndefinedVariable,
        span,
        format!("cannot render this {what}: {detail}"),
    )
    .label(detail)
    .help("every variable must be defined for this host: check the inventory and `-e`")
}

fn arg_json(value: &ArgValue) -> serde_json::Value {
    match value {
        ArgValue::Str(s) => serde_json::Value::from(s.as_str()),
        ArgValue::Bool(b) => serde_json::Value::from(*b),
        ArgValue::Int(i) => serde_json::Value::from(*i),
        ArgValue::List(items) => items.iter().map(|i| arg_json(&i.value)).collect(),
        ArgValue::Map(entries) => entries
            .iter()
            .map(|(k, v)| (k.value.clone(), arg_json(&v.value)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}

fn arg_type(kind: &OpKind, name: &str) -> ArgType {
    match kind {
        OpKind::Builtin(def) => def.arg(name).map_or(ArgType::Str, |a| a.ty),
        OpKind::User(op) => op
            .params
            .iter()
            .find(|p| p.name.value == name)
            .map_or(ArgType::Str, |p| p.ty),
    }
}

/// `files.line /etc/hosts`: the op and its main argument, for reports.
fn label(op: &TypedOp, args: &OpArgs) -> String {
    let main = match &op.kind {
        OpKind::Builtin(def) => def.main_arg,
        OpKind::User(user) => user.params.first().map(|p| p.name.value.as_str()),
    };
    let value = main
        .and_then(|m| args.get(m))
        .map(|v| match arg_json(&v.value) {
            serde_json::Value::String(s) => s,
            serde_json::Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(" "),
            other => other.to_string(),
        });
    match value {
        Some(v) if !v.is_empty() => format!("{} {v}", op.kind.name()),
        _ => op.kind.name().to_owned(),
    }
}
