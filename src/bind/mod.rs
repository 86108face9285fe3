//! Binding: a checked manifest and one host make a [`HostPlan`].
//!
//! Per host, variables are merged by precedence, loops are expanded into one op per item
//! ([`loops`]; a handler is labelled by its id), every templated argument is rendered (and
//! re-validated: a path must still be absolute once rendered), `when` is decided, and
//! `hosts`/`groups` limits are applied; [`lockout`] finds the firewall ops that would cut the
//! controller's SSH connection. Nothing here knows about shell; that is `lower`'s job.
//!
//! Binding also decides what is secret ([`secret`]): each rendered argument made from a
//! secret, and the host's secret strings, which every diagnostic made here is masked with.

pub mod lockout;
pub mod loops;
pub mod registered;
pub mod vars;
pub mod when;

use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use minijinja::Environment;

use crate::check::variables::MAX_VALUE_BYTES;
use crate::check::{Compiled, Globals, OpKind, ScopeId, TypedOp, UserOp};
use crate::diagnostic::{Code, Diagnostic, Diagnostics, article};
use crate::facts::Facts;
use crate::inventory::Host;
use crate::opdef::ArgType;
use crate::opdef::{ArgValue, OpArgs};
use crate::shell::{Sh, UserShell, quote};
use crate::source::{SourceMap, Span, Spanned};
use crate::template::{environment, template_file_context};

pub use crate::template::secret::{self, Secrets};

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
    /// A command's `changed_when` and `failed_when`, as shell tests run on the host after
    /// it (`true` or `false` when decided here).
    pub changed_when: Option<Sh>,
    pub failed_when: Option<Sh>,
    /// Whether a condition decided on the host reads facts, which the script then gathers.
    pub host_facts: bool,
    /// The arguments whose rendering used a secret value.
    pub secret_args: BTreeSet<String>,
    /// What the op runs or writes beyond its arguments (a user op's probe and apply, a
    /// template file) is made from a secret.
    pub secret_content: bool,
    /// The items of the loops it runs in, when it loops.
    pub iteration: Option<loops::Iteration>,
}

impl BoundOp<'_> {
    /// Whether the value of argument `name` is never shown: declared secret by its op
    /// (`ArgDef::secret`), made from a secret, or text (content, commands, patterns, URLs)
    /// of a `sensitive` op, whose paths, modes, owners and flags stay shown.
    pub fn is_secret(&self, name: &str) -> bool {
        declared_secret(&self.op.kind, name)
            || self.secret_args.contains(name)
            || (self.op.globals.sensitive && is_text(&arg_type(&self.op.kind, name)))
    }

    /// Whether the op's diff could show a secret: it says `content differs, hidden` instead.
    pub fn hides_diff(&self) -> bool {
        self.op.globals.sensitive || self.secret_content || !self.secret_args.is_empty()
    }

    /// Whether any of its values is never shown, or what it runs or writes is secret.
    pub fn has_secrets(&self) -> bool {
        self.secret_content || self.args.iter().any(|(name, _)| self.is_secret(name))
    }

    /// Whether what the op prints is hidden (a `sensitive` op).
    pub fn hides_output(&self) -> bool {
        self.op.globals.sensitive
    }
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
    /// The host's secret strings, to mask in whatever is shown of its run.
    pub secrets: Secrets,
}

/// Binds `compiled` to `host`. `facts` are the host's facts when known (from `--facts`,
/// or gathered); a `when` that needs them fails to bind without them. Diagnostics are
/// reported with the host's secrets masked.
pub fn bind<'c>(
    sources: &SourceMap,
    compiled: &'c Compiled,
    host: &'c Host,
    facts: Option<&Facts>,
    diagnostics: &mut Diagnostics,
) -> Option<HostPlan<'c>> {
    let mut binder = Binder::new(sources, compiled, host, facts);
    let runs = binder.runs(&compiled.ops, compiled.start_item.as_deref());
    let ops: Vec<BoundOp> = runs
        .iter()
        .map(|run| binder.item(run.op, run.iteration.as_ref()))
        .collect();
    let handlers: Vec<BoundOp> = compiled.handlers.iter().map(|op| binder.op(op)).collect();
    let secrets = binder.finish(diagnostics)?;
    Some(HostPlan {
        host,
        ops,
        handlers,
        secrets,
    })
}

/// Whether `op`'s `hosts` / `groups` limits let it run on `host`.
pub fn applies_to(op: &TypedOp, host: &Host) -> bool {
    let g = &op.globals;
    if g.hosts.is_empty() && g.groups.is_empty() {
        return true;
    }
    g.hosts.iter().any(|h| h.value == host.name)
        || g.groups.iter().any(|grp| host.groups.contains(&grp.value))
}

/// The host a `run_once` op runs on: the first of `hosts` (the run's, in inventory order)
/// it applies to; none for an op without `run_once`, or that applies to none of them.
pub fn run_once_host<'h>(op: &TypedOp, hosts: &'h [Host]) -> Option<&'h str> {
    if !op.globals.run_once {
        return None;
    }
    hosts
        .iter()
        .find(|host| applies_to(op, host))
        .map(|host| host.name.as_str())
}

/// `file:line` of `op`, the file named within the project's directory.
pub fn origin(sources: &SourceMap, op: &TypedOp) -> String {
    let (line, _) = sources.line_col(op.origin.file, op.origin.start as usize);
    format!("{}:{line}", sources.origin_name(op.origin.file))
}

/// The id of `op` ([`BoundOp::id`]): its explicit `id`, else its `origin`.
pub fn id(op: &TypedOp, origin: &str) -> String {
    op.globals
        .id
        .as_ref()
        .map_or_else(|| origin.to_owned(), |id| id.value.clone())
}

/// The environments binding renders with: text, shell commands, and native values.
pub struct Environments {
    pub plain: Environment<'static>,
    pub shell: Environment<'static>,
    /// Writes each `{{ }}` as JSON: a template that is one whole `{{ expression }}` renders
    /// to the expression's value, type and all (`["curl", "vim"]`, not `['curl', 'vim']`).
    native: Environment<'static>,
}

impl Default for Environments {
    fn default() -> Self {
        let mut native = environment(false);
        native.set_formatter(|out, _, value| {
            let json = serde_json::to_string(value).map_err(|error| {
                minijinja::Error::new(minijinja::ErrorKind::BadSerialization, error.to_string())
            })?;
            out.write_str(&json)?;
            Ok(())
        });
        Environments {
            plain: environment(false),
            shell: environment(true),
            native,
        }
    }
}

impl Environments {
    /// Renders the template `text`: one whole `{{ expression }}` as its value (but one value
    /// with white space around it as text), anything else as text; and whether it is secret
    /// (see [`secret::render`]).
    pub fn render(
        &self,
        text: &str,
        context: &minijinja::Value,
        secret_names: &BTreeSet<String>,
    ) -> Result<(serde_json::Value, bool), minijinja::Error> {
        let as_text = |text| {
            let (text, secret) =
                secret::render(&self.plain, text, context, secret_names, MAX_VALUE_BYTES)?;
            Ok((serde_json::Value::String(text), secret))
        };
        if !crate::template::is_whole_expression(text) {
            return as_text(text);
        }
        let (json, secret) =
            secret::render(&self.native, text, context, secret_names, MAX_VALUE_BYTES)?;
        let value = serde_json::from_str(json.trim()).map_err(|error| {
            minijinja::Error::new(minijinja::ErrorKind::BadSerialization, error.to_string())
        })?;
        // White space around one value is part of it (`"{{ x }}\n"`): that is text.
        if is_one_value(&value) && text.trim() != text {
            return as_text(text);
        }
        Ok((value, secret))
    }
}

/// The code and help for a template that failed to render: an undefined variable, an
/// unknown filter, or a template past kiln's bounds (too large, too many steps, too deep).
pub fn template_error(error: &minijinja::Error) -> (Code, &'static str) {
    let too_deep = error
        .detail()
        .is_some_and(|detail| detail.contains("recursion"));
    match error.kind() {
        minijinja::ErrorKind::UnknownFilter | minijinja::ErrorKind::UnknownTest => (
            Code::UnknownFilter,
            "the filters, tests and lookups kiln knows are listed in docs/templates.md",
        ),
        // A filter, test or lookup that refused its input (a file a lookup cannot read).
        minijinja::ErrorKind::InvalidOperation if !too_deep => (
            Code::InvalidValue,
            "a filter, test or lookup refused its input: see docs/templates.md",
        ),
        minijinja::ErrorKind::WriteFailure => (
            Code::TemplateLimit,
            "a value may be at most 1 MiB: look for variables that repeat each other",
        ),
        minijinja::ErrorKind::OutOfFuel => (
            Code::TemplateLimit,
            "the template takes too many steps to render: look for a runaway loop",
        ),
        _ if too_deep => (
            Code::TemplateLimit,
            "the template recurses too deeply: look for a macro or loop that calls itself",
        ),
        _ => (
            Code::UndefinedVariable,
            "every variable must be defined for this host: check the inventory and `-e`",
        ),
    }
}

/// What went wrong in a template, in words.
pub fn error_detail(error: &minijinja::Error) -> String {
    match error.kind() {
        minijinja::ErrorKind::WriteFailure => "it renders to more than 1 MiB".to_owned(),
        _ => error
            .detail()
            .map_or_else(|| error.kind().to_string(), str::to_owned),
    }
}

/// `what`, written at `span`, uses facts, and none are known.
pub fn missing_facts(span: Span, what: &str) -> Diagnostic {
    Diagnostic::new(
        Code::MissingFacts,
        span,
        format!("{what} uses the host's facts, which are not known here"),
    )
    .label("uses `facts`")
    .help("pass the host's facts with `--facts FILE` (from `kiln facts HOST --json`), or decide on facts in `when`, which the host can decide itself")
}

/// Binds ops to one host, one at a time, for a caller that binds only some of them (the
/// others bind alike on every host, and were bound once): [`Binder::op`] for each, then
/// [`Binder::finish`].
pub struct Binder<'a> {
    sources: &'a SourceMap,
    host: &'a Host,
    facts: Option<&'a Facts>,
    compiled: &'a Compiled,
    envs: Environments,
    /// The handlers' ids, which `notify` names, in order.
    handler_ids: Vec<Option<&'a str>>,
    /// The template context of each scope on this host.
    contexts: HashMap<ScopeId, Option<ScopeContext>>,
    /// The secret strings met so far.
    secrets: Secrets,
    /// Which ops register results, which later ops read.
    registrations: registered::Registrations<'a>,
    diagnostics: Diagnostics,
}

/// The template context of one scope on one host, and which of its names are secret.
#[derive(Clone)]
struct ScopeContext {
    value: minijinja::Value,
    secret: Rc<BTreeSet<String>>,
}

/// Who the op runs as: `su_user`, else `sudo_user`, else root with `sudo`.
fn become_of(globals: &Globals) -> Become {
    match (&globals.su_user, &globals.sudo_user, globals.sudo) {
        (Some(user), _, _) => Become::Su(user.value.clone()),
        (None, Some(user), _) => Become::Sudo(user.value.clone()),
        (None, None, true) => Become::Sudo("root".into()),
        (None, None, false) => Become::Current,
    }
}

impl<'a> Binder<'a> {
    pub fn new(
        sources: &'a SourceMap,
        compiled: &'a Compiled,
        host: &'a Host,
        facts: Option<&'a Facts>,
    ) -> Binder<'a> {
        Binder {
            sources,
            host,
            facts,
            compiled,
            envs: Environments::default(),
            handler_ids: compiled
                .handlers
                .iter()
                .map(|h| h.globals.id.as_ref().map(|id| id.value.as_str()))
                .collect(),
            contexts: HashMap::new(),
            secrets: Secrets::default(),
            registrations: registered::Registrations::new(compiled),
            diagnostics: Diagnostics::default(),
        }
    }

    /// Whether an op bound so far could not be.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.has_errors()
    }

    /// Ends the binding: its diagnostics go to `diagnostics`, masked with the host's
    /// secrets, which it returns; none if an op could not be bound.
    pub fn finish(self, diagnostics: &mut Diagnostics) -> Option<Secrets> {
        let failed = self.diagnostics.has_errors();
        for diagnostic in self.diagnostics.sorted() {
            diagnostics.push(self.secrets.mask_diagnostic(diagnostic));
        }
        (!failed).then_some(self.secrets)
    }

    /// What the templates of an op in `scope` see as the variable `name` on this host (null
    /// when it is not defined), and whether it is secret; none when the scope's variables
    /// cannot be rendered here.
    pub fn variable(&mut self, scope: ScopeId, name: &str) -> Option<(serde_json::Value, bool)> {
        let context = self.context(scope)?;
        let value = context.value.get_attr(name).ok()?;
        let json = serde_json::to_value(&value).ok()?;
        Some((json, context.secret.contains(name)))
    }
}

impl<'c> Binder<'_> {
    /// Binds `op` (an op or a handler of the compiled manifest) to this host.
    pub fn op(&mut self, op: &'c TypedOp) -> BoundOp<'c> {
        self.item(op, None)
    }

    /// Binds `op` to this host, with the items of `iteration` when it loops
    /// ([`Binder::runs`]).
    pub fn item(&mut self, op: &'c TypedOp, iteration: Option<&loops::Iteration>) -> BoundOp<'c> {
        let origin = origin(self.sources, op);
        let id = id(op, &origin);
        let id = match iteration {
            Some(iteration) => iteration.id(&id),
            None => id,
        };
        let notify = op
            .globals
            .notify
            .iter()
            .filter_map(|n| {
                self.handler_ids
                    .iter()
                    .position(|h| *h == Some(n.value.as_str()))
            })
            .collect();
        let mut bound = BoundOp {
            op,
            id,
            origin,
            label: String::new(),
            args: OpArgs::default(),
            skip: self.limit(op),
            become_: become_of(&op.globals),
            notify,
            user_scripts: None,
            context: minijinja::Value::UNDEFINED,
            runtime_when: None,
            changed_when: None,
            failed_when: None,
            host_facts: false,
            secret_args: BTreeSet::new(),
            secret_content: false,
            iteration: iteration.cloned(),
        };
        let scope = match iteration {
            Some(iteration) => self.context_in(op.scope, iteration),
            None => self.context(op.scope),
        };
        let Some(scope) = scope else {
            // The op's arguments stay unrendered templates: the host must not bind. Resolving
            // reports why at the variables; values given with `-e` have no place to point
            // at, so the op says it.
            if !self.diagnostics.has_errors() {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::VariableCycle,
                        op.origin,
                        "the variables this op sees cannot be rendered",
                    )
                    .label("for this host")
                    .help("variables given with `-e` are defined from each other: give one of them without the others"),
                );
            }
            return bound;
        };
        bound.context = scope.value.clone();
        let visible = self.registrations.visible(op, false);
        self.conditions(&mut bound, &scope.value, &visible);
        // Shell commands read the results registered before the op as shell variables.
        let scope = if visible.is_empty() {
            scope
        } else {
            ScopeContext {
                value: minijinja::context! { ..registered::shell_context(&visible), ..scope.value },
                secret: scope.secret,
            }
        };
        self.render_args(&mut bound, &scope);
        bound.label = self.rendered_label(&bound, &scope);
        if let Some(iteration) = iteration {
            bound.label = iteration.label(&bound.label);
        }
        if self.compiled.handlers.iter().any(|h| std::ptr::eq(h, op)) {
            // Reports and plans name a handler by the id `notify` names it by.
            bound.label = format!("handler {}", serde_json::Value::from(bound.id.as_str()));
        }
        bound
    }

    /// Decides `bound`'s `when` (here, or as a test on the host over facts and the results
    /// `visible`), its judges (`changed_when`, `failed_when`, which see its own result too),
    /// and whether what the host decides reads facts, which it then gathers.
    fn conditions(
        &mut self,
        bound: &mut BoundOp,
        context: &minijinja::Value,
        visible: &HashMap<String, registered::Registration>,
    ) {
        let globals = &bound.op.globals;
        if bound.skip.is_none() {
            bound.skip = self.when(bound.op, context, visible, &mut bound.runtime_when);
        }
        if globals.changed_when.is_some() || globals.failed_when.is_some() {
            let own = self.registrations.visible(bound.op, true);
            bound.changed_when = self.judge(globals.changed_when.as_ref(), context, &own);
            bound.failed_when = self.judge(globals.failed_when.as_ref(), context, &own);
        }
        let mut conditions = (globals.when.iter())
            .chain(&globals.changed_when)
            .chain(&globals.failed_when);
        let on_host = bound.runtime_when.is_some()
            || bound.changed_when.is_some()
            || bound.failed_when.is_some();
        bound.host_facts = on_host
            && conditions
                .any(|c| crate::template::expression_reads(&self.envs.plain, &c.value, "facts"));
    }

    /// Renders the op's arguments (and a user op's scripts) on this host, noting which are
    /// secret, and gives the secret values to the masker.
    fn render_args(&mut self, bound: &mut BoundOp, scope: &ScopeContext) {
        let op = bound.op;
        for (name, value) in op.args.iter() {
            let ty = arg_type(&op.kind, name);
            if let Some((rendered, secret)) = self.render(value, &ty, scope) {
                if secret {
                    bound.secret_args.insert(name.to_owned());
                }
                bound.args.insert(name.to_owned(), rendered);
            }
        }
        if let OpKind::User(user) = &op.kind {
            if let Some((scripts, secret)) = self.user_scripts(user, bound, scope) {
                bound.user_scripts = Some(scripts);
                bound.secret_content = secret;
            }
        } else if let Some(arg) = op.kind.template_file() {
            bound.secret_content = self.template_file_is_secret(bound, arg, scope);
        }
        for (name, value) in bound.args.iter() {
            if bound.secret_args.contains(name) || declared_secret(&op.kind, name) {
                self.secrets.add_arg(&value.value);
            }
        }
    }

    /// The op's `name` rendered, or the op and its main argument. A name made from a secret
    /// is not shown (`kiln check` refuses the plain case): the op and its main argument
    /// are, as without a name.
    fn rendered_label(&mut self, bound: &BoundOp, scope: &ScopeContext) -> String {
        match &bound.op.globals.name {
            Some(name) => match self.render_str(&name.value, name.span, false, scope) {
                Some((text, false)) => text,
                Some((_, true)) => label(bound),
                None => String::new(),
            },
            None => label(bound),
        }
    }

    /// Renders a user op's probe and apply with its parameters (given, else defaults) on
    /// top of the scope's variables; secret when they use a secret variable or parameter.
    fn user_scripts(
        &mut self,
        user: &UserOp,
        bound: &BoundOp,
        scope: &ScopeContext,
    ) -> Option<(UserScripts, bool)> {
        let mut params = serde_json::Map::new();
        for param in &user.params {
            let value = bound.args.get(&param.name.value).or(param.default.as_ref());
            if let Some(value) = value {
                params.insert(param.name.value.clone(), arg_json(&value.value));
            }
        }
        let params = minijinja::Value::from(minijinja::value::Serde(&params));
        let mut secret_names = (*scope.secret).clone();
        secret_names.extend(bound.secret_args.iter().cloned());
        let scope = ScopeContext {
            value: minijinja::context! { ..params, ..scope.value.clone() },
            secret: Rc::new(secret_names),
        };
        let mut secret = false;
        let probe = match &user.probe {
            Some(p) => {
                let (text, tainted) = self.render_str(&p.value, p.span, true, &scope)?;
                secret |= tainted;
                Some(UserShell(text))
            }
            None => None,
        };
        let apply = &user.apply;
        let (text, tainted) = self.render_str(&apply.value, apply.span, true, &scope)?;
        secret |= tainted;
        let apply = UserShell(text);
        Some((UserScripts { probe, apply }, secret))
    }

    /// Whether the template file a `files.template` renders at lowering uses a secret:
    /// names a secret variable or its own secret `vars`, or uses the `secret` filter. A
    /// file that cannot be read or rendered is reported by the lowering.
    fn template_file_is_secret(&self, bound: &BoundOp, arg: &str, scope: &ScopeContext) -> bool {
        if bound.secret_args.contains("vars") {
            return true;
        }
        let Some(src) = bound.args.str(arg) else {
            return false;
        };
        let dir = self.sources.dir_of(bound.op.origin.file);
        let Ok(text) = std::fs::read_to_string(dir.join(src)) else {
            return false;
        };
        let context = template_file_context(&bound.args, &scope.value);
        secret::render(&self.envs.plain, &text, &context, &scope.secret, usize::MAX)
            .is_ok_and(|(_, secret)| secret)
    }

    /// A `hosts` / `groups` limit that excludes this host.
    fn limit(&self, op: &TypedOp) -> Option<String> {
        (!applies_to(op, self.host)).then(|| "not for this host".to_owned())
    }

    /// Decides `when` now, or (for facts only the host knows) adds its shell test to
    /// `runtime`. Returns why the op is skipped, if it is.
    fn when(
        &mut self,
        op: &TypedOp,
        context: &minijinja::Value,
        registered: &HashMap<String, registered::Registration>,
        runtime: &mut Option<Sh>,
    ) -> Option<String> {
        for condition in &op.globals.when {
            let on_host = |name: &str| {
                crate::template::expression_reads(&self.envs.plain, &condition.value, name)
            };
            if (self.facts.is_none() && on_host("facts")) || registered.keys().any(|r| on_host(r)) {
                match self.on_host(&condition.value, context, registered) {
                    Ok(test) => {
                        let combined = runtime.get_or_insert_with(Sh::new);
                        if !combined.is_empty() {
                            combined.code(" && ");
                        }
                        combined.push(&test);
                    }
                    Err(why) => self.diagnostics.push(cannot_decide(condition.span, &why)),
                }
                continue;
            }
            let result = self
                .envs
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

    /// `condition` as a shell test decided on the host, over facts gathered there and the
    /// results `registered` (variables are decided here, in `context`).
    fn on_host(
        &self,
        condition: &str,
        context: &minijinja::Value,
        registered: &HashMap<String, registered::Registration>,
    ) -> Result<Sh, String> {
        let var = |name: &str| {
            let value = self
                .envs
                .plain
                .compile_expression(name)
                .ok()?
                .eval(context)
                .ok()?;
            serde_json::to_value(&value).ok()
        };
        when::to_shell(condition, &var, &|name| registered.get(name).copied())
    }

    /// A command's `changed_when` or `failed_when`, over its own result and those before
    /// it: always decided on the host (`true` or `false` when it needs nothing there).
    fn judge(
        &mut self,
        condition: Option<&Spanned<String>>,
        context: &minijinja::Value,
        registered: &HashMap<String, registered::Registration>,
    ) -> Option<Sh> {
        let condition = condition?;
        match self.on_host(&condition.value, context, registered) {
            Ok(test) => Some(test),
            Err(why) => {
                self.diagnostics.push(cannot_decide(condition.span, &why));
                None
            }
        }
    }

    /// Renders an argument for this host: its value, and whether a secret went into it.
    fn render(
        &mut self,
        value: &Spanned<ArgValue>,
        ty: &ArgType,
        scope: &ScopeContext,
    ) -> Option<(Spanned<ArgValue>, bool)> {
        if let ArgValue::Str(text) = &value.value
            && crate::template::is_whole_expression(text)
        {
            // A list or map is taken as it is, and must be what `ty` is; one value is
            // rendered as text below, white space around it included (`"{{ x }}\n"`), and
            // into a command as one quoted word.
            let (native, tainted) = self.render_native(text, value.span, scope)?;
            if matches!(ty, ArgType::List(_) | ArgType::Map(_)) || !is_one_value(&native) {
                let typed = self.typed(&native, ty, value.span)?;
                return Some((Spanned::new(typed, value.span), tainted));
            }
        }
        let mut secret = false;
        let rendered = match (&value.value, ty) {
            (ArgValue::Str(text), ArgType::Bool | ArgType::Int { .. } | ArgType::Duration) => {
                let (rendered, tainted) = self.render_str(text, value.span, false, scope)?;
                secret = tainted;
                self.typed_scalar(&rendered, ty, value.span)?
            }
            (ArgValue::Str(text), _) => {
                let shell = *ty == ArgType::Shell;
                let (text, tainted) = self.render_str(text, value.span, shell, scope)?;
                secret = tainted;
                if !crate::check::types::valid_string(ty, &text, value.span, &mut self.diagnostics)
                {
                    return None;
                }
                ArgValue::Str(text)
            }
            (ArgValue::List(items), ArgType::List(inner)) => ArgValue::List(
                items
                    .iter()
                    .map(|i| {
                        let (item, tainted) = self.render(i, inner, scope)?;
                        secret |= tainted;
                        Some(item)
                    })
                    .collect::<Option<_>>()?,
            ),
            (ArgValue::Map(entries), ArgType::Map(inner)) => ArgValue::Map(
                entries
                    .iter()
                    .map(|(k, v)| {
                        let (item, tainted) = self.render(v, inner, scope)?;
                        secret |= tainted;
                        Some((k.clone(), item))
                    })
                    .collect::<Option<_>>()?,
            ),
            (other, _) => other.clone(),
        };
        Some((Spanned::new(rendered, value.span), secret))
    }

    /// Renders the whole `{{ expression }}` `text` written at `span` to its value, and
    /// whether it is secret.
    fn render_native(
        &mut self,
        text: &str,
        span: Span,
        scope: &ScopeContext,
    ) -> Option<(serde_json::Value, bool)> {
        match self.envs.render(text, &scope.value, &scope.secret) {
            Ok(rendered) => Some(rendered),
            Err(error) => {
                self.report_render_error(text, span, &error);
                None
            }
        }
    }

    /// A whole `{{ expression }}`'s value where `ty` is expected: the value must have that
    /// shape (a string is not a list of one, a list is not a string: never its Python
    /// spelling); a number or boolean may stand for a string, and a string for a number or
    /// boolean (`-e port=8080`). In a shell command, each value is one quoted word.
    fn typed(&mut self, value: &serde_json::Value, ty: &ArgType, span: Span) -> Option<ArgValue> {
        let typed = match (ty, value) {
            (ArgType::List(inner), serde_json::Value::Array(items)) => ArgValue::List(
                items
                    .iter()
                    .map(|item| Some(Spanned::new(self.typed(item, inner, span)?, span)))
                    .collect::<Option<_>>()?,
            ),
            (ArgType::Map(inner), serde_json::Value::Object(entries)) => ArgValue::Map(
                entries
                    .iter()
                    .map(|(key, item)| {
                        let item = self.typed(item, inner, span)?;
                        Some((Spanned::new(key.clone(), span), Spanned::new(item, span)))
                    })
                    .collect::<Option<_>>()?,
            ),
            (ArgType::List(_) | ArgType::Map(_), _)
            | (
                _,
                serde_json::Value::Array(_)
                | serde_json::Value::Object(_)
                | serde_json::Value::Null,
            ) => {
                let found = match value {
                    serde_json::Value::Array(_) => "a list",
                    serde_json::Value::Object(_) => "a map",
                    serde_json::Value::String(_) => "a string",
                    serde_json::Value::Null => "none",
                    _ => "a single value",
                };
                let help = match (ty, value) {
                    (ArgType::List(_), _) => {
                        "a list argument takes a list: give the variable a list value, or write `[\"{{ x }}\"]` for a list of one"
                    }
                    (_, serde_json::Value::Array(_)) => {
                        "pick one item (`{{ x[0] }}`), join them (`{{ x | join(' ') }}`), or pass the list to an argument that takes one"
                    }
                    _ => "check the variable's value for this host (`kiln inventory` shows it)",
                };
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::WrongType,
                        span,
                        format!("this renders to {found}, not {}", article(&ty.describe())),
                    )
                    .label("rendered for this host")
                    .help(help),
                );
                return None;
            }
            (ArgType::Bool | ArgType::Int { .. } | ArgType::Duration, scalar) => {
                self.typed_scalar(&scalar_text(scalar), ty, span)?
            }
            (ty, scalar) => {
                let text = scalar_text(scalar);
                let text = if *ty == ArgType::Shell {
                    quote(&text)
                } else {
                    text
                };
                if !crate::check::types::valid_string(ty, &text, span, &mut self.diagnostics) {
                    return None;
                }
                ArgValue::Str(text)
            }
        };
        Some(typed)
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
            _ => crate::opdef::parse_duration(trimmed).map(ArgValue::Int),
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

    /// Renders the template `text` written at `span`: the text, and whether it is secret.
    fn render_str(
        &mut self,
        text: &str,
        span: Span,
        shell: bool,
        scope: &ScopeContext,
    ) -> Option<(String, bool)> {
        if !crate::template::is_template(text) {
            return Some((text.to_owned(), false));
        }
        let env = if shell {
            &self.envs.shell
        } else {
            &self.envs.plain
        };
        match secret::render(env, text, &scope.value, &scope.secret, MAX_VALUE_BYTES) {
            Ok(rendered) => Some(rendered),
            Err(error) => {
                self.report_render_error(text, span, &error);
                None
            }
        }
    }

    /// Reports why the template `text` written at `span` could not be rendered, pointing
    /// inside it where the error says.
    fn report_render_error(&mut self, text: &str, span: Span, error: &minijinja::Error) {
        let text_value = serde_json::Value::String(text.to_owned());
        if self.facts.is_none()
            && error.kind() == minijinja::ErrorKind::UndefinedError
            && vars::template_names(&self.envs.plain, &text_value).contains("facts")
        {
            self.diagnostics.push(missing_facts(span, "this value"));
            return;
        }
        let at = self
            .sources
            .locate_within(span, text)
            .map_or(span, |inner| match error.range() {
                Some(range) => self.sources.snap(inner.subspan(range)),
                None => inner,
            });
        self.diagnostics.push(render_error(at, error, "template"));
    }

    /// The template context of `scope` on this host, built once; its secret variables'
    /// values join the host's secrets.
    fn context(&mut self, scope: ScopeId) -> Option<ScopeContext> {
        if let Some(context) = self.contexts.get(&scope) {
            return context.clone();
        }
        let context = self.resolve_context(scope, &serde_json::Map::new());
        self.contexts.insert(scope, context.clone());
        context
    }

    /// The template context of `scope` on this host, its variables resolved with `bound`
    /// (the items of an include's loop) beside `facts` and `host`.
    fn resolve_context(
        &mut self,
        scope: ScopeId,
        bound: &serde_json::Map<String, serde_json::Value>,
    ) -> Option<ScopeContext> {
        let mut scope_vars = vars::scope_vars(self.compiled, scope, self.host);
        let mut extra = serde_json::json!({
            "facts": self.facts.map_or(serde_json::Value::Null, |f| f.0.clone()),
            "host": {
                "name": self.host.name,
                "target": self.host.target.to_string(),
                "groups": self.host.groups,
            },
        });
        if let serde_json::Value::Object(extra) = &mut extra {
            extra.extend(bound.clone());
        }
        let resolved = vars::resolve(&self.envs, &mut scope_vars, &extra, &mut self.diagnostics);
        for var in scope_vars.values().filter(|var| var.secret) {
            self.secrets.add_json(&var.value);
        }
        resolved.then(|| ScopeContext {
            value: vars::context(&scope_vars, &extra),
            secret: Rc::new(vars::secret_names(&scope_vars)),
        })
    }
}

/// A condition, written at `span`, that cannot be translated into a shell test, and `why`.
fn cannot_decide(span: Span, why: &str) -> Diagnostic {
    Diagnostic::new(Code::InvalidWhen, span, format!("this condition cannot be decided on the host: {why}"))
        .label("uses values only the host knows")
        .help("compare facts and registered results with `==`, `!=`, `in`, `is changed`... (docs/manifest.md); or pass the host's facts with `--facts FILE` (from `kiln facts HOST --json`) to decide a condition over facts at emit time")
}

fn render_error(span: Span, error: &minijinja::Error, what: &str) -> Diagnostic {
    let detail = error_detail(error);
    let (code, help) = template_error(error);
    Diagnostic::new(code, span, format!("cannot render this {what}: {detail}"))
        .label(detail)
        .help(help)
}

/// Whether `value` is one value (a string, number or boolean), not a list, map or none.
fn is_one_value(value: &serde_json::Value) -> bool {
    !matches!(
        value,
        serde_json::Value::Array(_) | serde_json::Value::Object(_) | serde_json::Value::Null
    )
}

/// A scalar value as a template would print it.
fn scalar_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
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

/// Whether values of type `ty` are free text, which a `sensitive` op does not show.
fn is_text(ty: &ArgType) -> bool {
    match ty {
        ArgType::Str | ArgType::Shell | ArgType::Regex | ArgType::Url => true,
        ArgType::List(inner) | ArgType::Map(inner) => is_text(inner),
        _ => false,
    }
}

/// Whether the op's definition declares argument `name` secret (a password hash).
fn declared_secret(kind: &OpKind, name: &str) -> bool {
    match kind {
        OpKind::Builtin(def) => def.arg(name).is_some_and(|a| a.secret),
        OpKind::User(_) => false,
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

/// `files.line /etc/hosts`: the op and its main argument, for reports (`***` for a
/// secret one).
fn label(bound: &BoundOp) -> String {
    let op = bound.op;
    let value = op
        .kind
        .main_arg()
        .and_then(|m| Some((m, bound.args.get(m)?)))
        .map(|(m, v)| {
            if bound.is_secret(m) {
                return secret::MASK.to_owned();
            }
            match arg_json(&v.value) {
                serde_json::Value::String(s) => s,
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(" "),
                other => other.to_string(),
            }
        });
    match value {
        Some(v) if !v.is_empty() => format!("{} {v}", op.kind.name()),
        _ => op.kind.name().to_owned(),
    }
}
