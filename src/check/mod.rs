//! The checker: from an entry manifest to typed ops, with every diagnostic at once.
//!
//! Stages, in order: [`load`] expands includes; `define`s become user ops; each op call is
//! checked against its definition ([`op`]); globals are typed and inherited from includes
//! ([`globals`]); templates and `when` expressions are checked against the variables in scope
//! ([`templates`]); handler references and ids are cross-checked last. A failed op is left
//! out of the result but checking goes on, so one run reports everything.

pub mod custom_facts;
pub mod filters;
pub mod globals;
pub mod load;
pub mod loops;
pub mod op;
pub mod password_hash;
pub mod registered;
pub mod rules;
pub mod templates;
pub mod tokens;
pub mod types;
pub mod user_op;
pub mod variables;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::inventory::Inventory;
use crate::model::{Table, Value};
use crate::opdef::ArgType;
use crate::opdef::{ArgValue, OpArgs};
use crate::source::{SourceMap, Span, Spanned};

pub use globals::{Globals, Serial};
pub use load::{Scope, ScopeId};
pub use op::OpKind;
pub use user_op::UserOp;

use templates::{BUILTIN_VARIABLES, Known, TemplateChecker};

/// One checked operation, ready to bind to a host.
#[derive(Clone, Debug)]
pub struct TypedOp {
    pub kind: OpKind,
    pub args: OpArgs,
    pub globals: Globals,
    pub scope: ScopeId,
    /// Where the op was written: the whole op, for its `file:line`.
    pub origin: Span,
}

/// Where an op came from is not what it is: the same manifest in two spellings has equal ops.
impl PartialEq for TypedOp {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.args == other.args
            && self.globals == other.globals
            && self.scope == other.scope
    }
}

/// A checked manifest: ops in order, handlers, and the variable scopes they refer to.
#[derive(Clone, Debug, PartialEq)]
pub struct Compiled {
    pub ops: Vec<TypedOp>,
    pub handlers: Vec<TypedOp>,
    pub scopes: Vec<ScopeVars>,
    /// Custom facts, which the host's probe gathers with the built-in ones.
    pub facts: Vec<crate::facts::Custom>,
    /// Set by `--start-at ID[N]`: the id of the loop item each host's run starts at (the
    /// ops before its loop are left out already).
    pub start_item: Option<String>,
}

/// The variables of one scope (see [`Scope`]), without their source positions' files.
#[derive(Clone, Debug, PartialEq)]
pub struct ScopeVars {
    pub parent: Option<ScopeId>,
    pub defaults: Table,
    pub params: Table,
    /// The names in `defaults` and `params` given under `secrets`.
    pub secrets: Vec<String>,
}

/// What the checker needs besides the manifest.
#[derive(Default)]
pub struct Context<'a> {
    pub inventory: Option<&'a Inventory>,
    /// `-e NAME=VALUE` and `--secrets-file` variables.
    pub extra_vars: &'a [crate::inventory::ExtraVar],
}

/// Checks the manifest at `entry` and everything it includes.
pub fn compile(
    sources: &mut SourceMap,
    entry: &Path,
    context: &Context<'_>,
    diagnostics: &mut Diagnostics,
) -> Option<Compiled> {
    let loaded = load::load(sources, entry, diagnostics)?;
    let sources = &*sources;
    let facts = custom_facts::custom_facts(sources, &loaded.facts, diagnostics);
    let mut checker = Checker {
        sources,
        templates: TemplateChecker::default(),
        context,
        scopes: &loaded.scopes,
        known: HashMap::new(),
        secret: HashMap::new(),
        handler_ids: Vec::new(),
        registered: Vec::new(),
        failed_notifies: Vec::new(),
        loop_names: Vec::new(),
        template_files: HashSet::new(),
        diagnostics,
    };
    // Before anything asks which names a scope knows: an include's loop variables are some.
    let include_args = checker.include_args();
    let user_ops = checker.user_ops(&loaded);

    let mut ops = Vec::with_capacity(loaded.calls.len());
    for (call, scope) in &loaded.calls {
        if let Some(op) = checker.op(call, *scope, &user_ops, &include_args, rules::Role::Op) {
            ops.push(op);
        }
    }
    let mut handlers = Vec::with_capacity(loaded.handlers.len());
    for (call, scope) in &loaded.handlers {
        if let Some(op) = checker.op(call, *scope, &user_ops, &include_args, rules::Role::Handler) {
            handlers.push(op);
        }
    }
    checker.variables();
    checker.cross_references(&ops, &handlers);
    let scopes = loaded
        .scopes
        .into_iter()
        .map(|s| ScopeVars {
            parent: s.parent,
            defaults: s.defaults,
            params: s.params,
            secrets: s.secrets,
        })
        .collect();
    Some(Compiled {
        ops,
        handlers,
        scopes,
        facts,
        start_item: None,
    })
}

struct Checker<'a> {
    sources: &'a SourceMap,
    templates: TemplateChecker,
    context: &'a Context<'a>,
    scopes: &'a [Scope],
    /// Variable names visible in each scope, built on first use.
    known: HashMap<ScopeId, Known>,
    /// The secret ones among them, built on first use.
    secret: HashMap<ScopeId, HashSet<String>>,
    /// The id of every handler as written, including handlers that failed to check.
    handler_ids: Vec<String>,
    /// The names registered by the ops checked so far, which later ops may read.
    registered: Vec<registered::Registered>,
    /// The `notify` entries of ops that failed to check: still cross-referenced, so one run
    /// reports every unknown handler and no handler is called unused because of them.
    failed_notifies: Vec<Spanned<String>>,
    /// The variables the loops of each scope's includes bind, by scope.
    loop_names: Vec<Vec<String>>,
    /// The template files checked so far (read with the default settings): checked once.
    template_files: HashSet<PathBuf>,
    diagnostics: &'a mut Diagnostics,
}

impl<'a> Checker<'a> {
    /// Checks every `define` and indexes the user ops by name.
    fn user_ops(&mut self, loaded: &load::Loaded) -> HashMap<String, Arc<UserOp>> {
        let mut by_name: HashMap<String, Arc<UserOp>> = HashMap::new();
        for (define, scope) in &loaded.defines {
            if let Some(first) = by_name.get(&define.name.value) {
                if first.name.span == define.name.span {
                    // The same `define`, in a file included more than once.
                    continue;
                }
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::DuplicateId,
                        define.name.span,
                        format!("`{}` is defined twice", define.name.value),
                    )
                    .label("defined again here")
                    .with_label(first.name.span, "first defined here")
                    .help("rename one of them"),
                );
                continue;
            }
            let Some(user_op) = user_op::user_op(self.sources, define, self.diagnostics) else {
                continue;
            };
            let mut known = self.known(*scope).clone();
            known.extend(user_op.params.iter().map(|p| p.name.value.clone()));
            let included = self.inclusion(*scope);
            for script in user_op.probe.iter().chain([&user_op.apply]) {
                templates::lint_quoted(self.sources, &script.value, script.span, self.diagnostics);
                self.templates.template(
                    self.sources,
                    &script.value,
                    script.span,
                    &known,
                    included,
                    self.diagnostics,
                );
            }
            by_name.insert(define.name.value.clone(), Arc::new(user_op));
        }
        by_name
    }

    /// The typed include arguments of each scope, merged down from the outermost include.
    fn include_args(&mut self) -> Vec<Globals> {
        let mut inherited: Vec<Globals> = Vec::with_capacity(self.scopes.len());
        for (index, scope) in self.scopes.iter().enumerate() {
            let mut globals = scope
                .parent
                .map(|p| inherited[p.0].clone())
                .unwrap_or_default();
            let (loop_args, include_args): (Table, Table) = scope
                .include_args
                .iter()
                .cloned()
                .partition(|(key, _)| loops::is_loop_arg(&key.value));
            if let Some(parent) = scope.parent {
                let repeats = Some(ScopeId(index));
                let read = self.read_loop(&loop_args, parent, repeats, &globals.loops);
                globals.loops.extend(read);
            }
            self.loop_names.push(loops::names(&globals.loops).collect());
            let args = op::check_include_args(self.sources, &include_args, self.diagnostics);
            self.check_strings(&args, ScopeId(index), &[], true);
            globals.apply(&args, self.diagnostics);
            inherited.push(globals);
        }
        inherited
    }

    fn op(
        &mut self,
        call: &crate::model::OpCall,
        scope: ScopeId,
        user_ops: &HashMap<String, Arc<UserOp>>,
        include_args: &[Globals],
        role: rules::Role,
    ) -> Option<TypedOp> {
        if role == rules::Role::Handler {
            self.handler_ids
                .extend(raw_strings(call, "id").into_iter().map(|id| id.value));
        }
        let typed = self.typed_op(call, scope, user_ops, include_args, role);
        if typed.is_none() {
            self.failed_notifies.extend(raw_strings(call, "notify"));
        }
        typed
    }

    fn typed_op(
        &mut self,
        call: &crate::model::OpCall,
        scope: ScopeId,
        user_ops: &HashMap<String, Arc<UserOp>>,
        include_args: &[Globals],
        role: rules::Role,
    ) -> Option<TypedOp> {
        let kind = match crate::ops::lookup(&call.kind.value) {
            Some(def) => OpKind::Builtin(def),
            None => match user_ops.get(&call.kind.value) {
                Some(user) => OpKind::User(user.clone()),
                None => {
                    self.unknown_op(call, user_ops);
                    return None;
                }
            },
        };
        let rules_role = match role {
            rules::Role::Op if self.when_reads_result(call) => rules::Role::GuardedOp,
            role => role,
        };
        let checked = op::check_args(self.sources, &kind, call, rules_role, self.diagnostics);
        let mut globals = include_args.get(scope.0).cloned().unwrap_or_default();
        let own_loop = if role == rules::Role::Handler {
            // A handler runs once: neither its own loop nor its includes' apply to it.
            loops::on_handler(&checked.loop_args, self.diagnostics);
            globals.loops.clear();
            None
        } else {
            self.read_loop(&checked.loop_args, scope, None, &globals.loops)
        };
        let loop_refused = own_loop.is_none() && !checked.loop_args.is_empty();
        let loop_names = loops::meant_names(&checked.loop_args);
        let in_loops = role == rules::Role::Op;
        self.check_strings(&checked.args, scope, &loop_names, in_loops);
        self.check_shapes(&kind, &checked.args, scope);
        self.lint_shell(&kind, &checked.args);
        // An op's own result is read by its `changed_when` and `failed_when`.
        let own = registered::check_globals(&kind, &checked.globals, self.diagnostics);
        if own.is_some() && (own_loop.is_some() || !globals.loops.is_empty()) {
            registered::refuse_in_loop(&checked.globals, self.diagnostics);
        }
        self.registered.extend(own);
        self.check_strings(&checked.globals, scope, &loop_names, in_loops);
        let inherited = include_args.get(scope.0);
        let becomes = inherited.is_some_and(|g| g.sudo || g.su_user.is_some())
            || ["sudo", "sudo_user", "su_user"].iter().any(|name| {
                (checked.globals.get(name)).is_some_and(|v| v.value.as_bool() != Some(false))
            });
        registered::check_uses(
            self.sources,
            &self.templates,
            (&kind, &checked.args, &checked.globals, becomes),
            &self.registered,
            self.diagnostics,
        );
        self.secret_in_name(&checked.globals, scope);
        self.check_template_file(&kind, &checked.args, call.span);
        if !checked.valid || loop_refused {
            return None;
        }
        globals.loops.extend(own_loop);
        self.check_items(&globals.loops, &checked);
        globals.apply(&checked.globals, self.diagnostics);
        Some(TypedOp {
            kind,
            args: checked.args,
            globals,
            scope,
            origin: call.span,
        })
    }

    /// Arguments that are one whole `{{ name }}` of a variable the manifest writes as it is
    /// must fit the argument's type (see [`variables::check_shape`]).
    fn check_shapes(&mut self, kind: &OpKind, args: &OpArgs, scope: ScopeId) {
        let literal = self.literal_variables(scope);
        for (name, ty, _) in kind.params() {
            if let Some(value) = args.get(name) {
                variables::check_shape(self.sources, value, &ty, &literal, self.diagnostics);
            }
        }
    }

    /// The value of a variable visible in `scope` as the manifest writes it, when that is
    /// its value on every host: no template in it, and neither the inventory nor `-e`
    /// overrides it.
    fn literal_variables(
        &self,
        scope: ScopeId,
    ) -> impl Fn(&str) -> Option<&'a Spanned<Value>> + use<'a> {
        let written = self.visible_variables(scope);
        let overridden: HashSet<String> = self
            .context
            .inventory
            .map(|inventory| inventory.variable_names().collect())
            .unwrap_or_default();
        move |name: &str| {
            let var = written.iter().rev().find(|var| var.name == name)?;
            let mut texts = Vec::new();
            var.value.value.strings(var.value.span, &mut texts);
            let templated = texts
                .iter()
                .any(|(text, _)| crate::template::is_template(text));
            (!overridden.contains(name) && !templated).then_some(var.value)
        }
    }

    /// Shell-command arguments: values must not be quoted by hand (they are by kiln).
    fn lint_shell(&mut self, kind: &OpKind, args: &OpArgs) {
        let OpKind::Builtin(def) = kind else { return };
        for arg in def.args {
            let is_shell = matches!(arg.ty, ArgType::Shell | ArgType::List(ArgType::Shell));
            let Some(value) = args.get(arg.name).filter(|_| is_shell) else {
                continue;
            };
            let mut texts = Vec::new();
            value.value.strings(value.span, &mut texts);
            for (text, span) in texts {
                templates::lint_quoted(self.sources, text, span, self.diagnostics);
            }
        }
    }

    fn unknown_op(&mut self, call: &crate::model::OpCall, user_ops: &HashMap<String, Arc<UserOp>>) {
        let name = &call.kind.value;
        let candidates = crate::ops::CATALOG
            .iter()
            .map(|d| d.name)
            .chain(user_ops.keys().map(String::as_str));
        let diagnostic = Diagnostic::new(
            Code::UnknownOp,
            call.kind.span,
            format!("unknown operation `{name}`"),
        )
        .label("no such op");
        // A name without its module (`reboot`): the ops it could be.
        let modules: Vec<String> = if name.contains('.') {
            Vec::new()
        } else {
            crate::ops::CATALOG
                .iter()
                .map(|d| d.name)
                .chain(user_ops.keys().map(String::as_str))
                .filter(|op| op.split_once('.').is_some_and(|(_, op)| op == name))
                .map(|op| format!("`{op}`"))
                .collect()
        };
        let diagnostic = match crate::diagnostic::did_you_mean(name, candidates) {
            _ if modules.len() == 1 => diagnostic.help(format!(
                "operations are named `module.op`: did you mean {}?",
                modules[0]
            )),
            _ if !modules.is_empty() => diagnostic.help(format!(
                "operations are named `module.op`: did you mean one of {}?",
                modules.join(", ")
            )),
            Some(best) => diagnostic.help(format!("did you mean `{best}`?")),
            None if !name.contains('.') => diagnostic
                .help("operations are named `module.op`, e.g. `files.line`; see docs/ops.md"),
            None => diagnostic
                .help("see docs/ops.md for the built-in operations, or declare it with `define`"),
        };
        self.diagnostics.push(diagnostic);
    }

    /// The template file the op of `call` renders (`files.template`'s `src`), checked as
    /// its string arguments are ([`TemplateChecker::template_file`]), when its path is
    /// written as it is and the file can be read (else rendering reports it).
    fn check_template_file(&mut self, kind: &OpKind, args: &OpArgs, call: Span) {
        let Some(src) = kind.template_file().and_then(|arg| args.get(arg)) else {
            return;
        };
        let ArgValue::Str(name) = &src.value else {
            return;
        };
        let path = self.sources.dir_of(call.file).join(name);
        let settings = crate::template::file_settings(args);
        if crate::template::is_template(name)
            || settings.is_empty() && !self.template_files.insert(path.clone())
        {
            return;
        }
        if let Ok(text) = std::fs::read_to_string(&path) {
            let file = (name.as_str(), text.as_str());
            (self.templates).template_file(file, &settings, src.span, self.diagnostics);
        }
    }

    /// Whether `call`'s `when` reads a result registered by an op before it.
    fn when_reads_result(&self, call: &crate::model::OpCall) -> bool {
        !self.registered.is_empty()
            && raw_strings(call, "when").iter().any(|when| {
                let names = self.templates.names(&format!("{{{{ {} }}}}", when.value));
                self.registered.iter().any(|r| names.contains(&r.name))
            })
    }

    /// Reads a loop written in `scope` inside the loops `outer` (see [`loops::read`]), and
    /// checks the templates of what it goes over, which see the enclosing loops' items.
    fn read_loop(
        &mut self,
        args: &Table,
        scope: ScopeId,
        include: Option<ScopeId>,
        outer: &[loops::Loop],
    ) -> Option<loops::Loop> {
        if args.is_empty() {
            return None;
        }
        let read = loops::read(args, scope, include, outer, self.diagnostics)?;
        let literal = self.literal_variables(scope);
        if !loops::over_literal(self.sources, &read, &literal, self.diagnostics) {
            return None;
        }
        if let Value::Str(text) = &read.over.value {
            let texts = [(text.as_str(), read.over.span)];
            let (templates, registered) = (&self.templates, &self.registered);
            if registered::report_texts(
                self.sources,
                templates,
                "loop",
                &texts,
                registered,
                self.diagnostics,
            ) {
                return None;
            }
        }
        let known = self.known(scope).clone();
        let included = self.inclusion(scope);
        self.check_raw(&read.over, &known, included);
        if let Some(label) = &read.label {
            let mut known = known;
            known.extend(loops::names(std::slice::from_ref(&read)));
            self.check_texts(&[(&label.value, label.span)], &known, included);
        }
        Some(read)
    }

    /// The items of `looped` known as written have every attribute the op's templates
    /// take of them ([`loops::check_items`]).
    fn check_items(&mut self, looped: &[loops::Loop], checked: &op::CheckedArgs) {
        if looped.is_empty() {
            return;
        }
        let mut texts: Vec<loops::Text> = Vec::new();
        for (name, value) in checked.args.iter().chain(checked.globals.iter()) {
            let mut strings = Vec::new();
            value.value.strings(value.span, &mut strings);
            texts.extend(
                strings
                    .into_iter()
                    .map(|(text, span)| (text, span, name == "when")),
            );
        }
        for each in looped {
            let literal = self.literal_variables(each.scope);
            loops::check_items(self.sources, each, &literal, &texts, self.diagnostics);
        }
    }

    /// Template-checks every string argument; `when` (and `changed_when`, `failed_when`) is
    /// an expression. `loop_names` are the names an op's own loop binds for them; the loops
    /// of its includes bind theirs only `in_loops` (not for a handler, which runs once,
    /// outside them).
    fn check_strings(
        &mut self,
        args: &OpArgs,
        scope: ScopeId,
        loop_names: &[String],
        in_loops: bool,
    ) {
        let mut known = self.known(scope).clone();
        if !in_loops {
            for name in self.loop_names.get(scope.0).into_iter().flatten() {
                known.remove(name);
            }
        }
        known.extend(loop_names.iter().cloned());
        known.extend(self.registered.iter().map(|r| r.name.clone()));
        let included = self.inclusion(scope);
        for (name, value) in args.iter() {
            if registered::EXPRESSIONS.contains(&name) {
                if let ArgValue::Str(text) = &value.value {
                    self.templates.expression(
                        self.sources,
                        text,
                        value.span,
                        &known,
                        included,
                        self.diagnostics,
                    );
                }
            } else {
                self.check_value(value, &known, included);
            }
        }
    }

    fn check_value(&mut self, value: &Spanned<ArgValue>, known: &Known, included: Option<Span>) {
        let mut texts = Vec::new();
        value.value.strings(value.span, &mut texts);
        self.check_texts(&texts, known, included);
    }

    fn check_texts(&mut self, texts: &[(&str, Span)], known: &Known, included: Option<Span>) {
        for (text, span) in texts {
            self.templates
                .template(self.sources, text, *span, known, included, self.diagnostics);
        }
    }

    /// Variable values may be templates too, over each other: without cycles, and not
    /// growing past what a value may be.
    fn variables(&mut self) {
        for (index, scope) in self.scopes.iter().enumerate() {
            let known = self.known(ScopeId(index)).clone();
            let included = self.inclusion(ScopeId(index));
            for (_, value) in scope.defaults.iter().chain(&scope.params) {
                self.check_raw(value, &known, included);
            }
            let written = self.visible_variables(ScopeId(index));
            let templates = &self.templates;
            variables::check(
                self.sources,
                &written,
                |text| templates.names(text),
                self.diagnostics,
            );
        }
    }

    /// The manifest's variables visible in `scope`, in the order binding sets them (see
    /// `bind::vars::scope_vars`): the chain's defaults, then its include parameters, outer
    /// first. Names given with `-e` are left out: those values are not templates.
    fn visible_variables(&self, scope: ScopeId) -> Vec<variables::Written<'a>> {
        let mut chain = Vec::new();
        let mut next = Some(scope);
        while let Some(id) = next {
            chain.push(&self.scopes[id.0]);
            next = self.scopes[id.0].parent;
        }
        chain.reverse();
        let defaults = chain.iter().flat_map(|s| &s.defaults);
        let params = chain.iter().flat_map(|s| &s.params);
        defaults
            .chain(params)
            .filter(|(name, _)| !self.context.extra_vars.iter().any(|v| v.name == name.value))
            .map(|(name, value)| variables::Written {
                name: &name.value,
                value,
            })
            .collect()
    }

    fn check_raw(&mut self, value: &Spanned<Value>, known: &Known, included: Option<Span>) {
        let mut texts = Vec::new();
        value.value.strings(value.span, &mut texts);
        self.check_texts(&texts, known, included);
    }

    /// The include that made `scope`, when its file is included more than once: what is
    /// defined there then depends on the inclusion, so diagnostics about variables say which.
    fn inclusion(&self, scope: ScopeId) -> Option<Span> {
        let this = &self.scopes[scope.0];
        let inclusions = self.scopes.iter().filter(|s| s.file == this.file).count();
        this.via.filter(|_| inclusions > 1)
    }

    /// Names visible in `scope`: its chain's variables, the inventory's, `-e`, built-ins.
    fn known(&mut self, scope: ScopeId) -> &Known {
        if !self.known.contains_key(&scope) {
            let mut known: Known = BUILTIN_VARIABLES.iter().map(|s| (*s).to_owned()).collect();
            known.extend(self.context.extra_vars.iter().map(|v| v.name.clone()));
            if let Some(inventory) = self.context.inventory {
                known.extend(inventory.variable_names());
            }
            known.extend(self.loop_names.get(scope.0).into_iter().flatten().cloned());
            let mut next = Some(scope);
            while let Some(id) = next {
                let s = &self.scopes[id.0];
                known.extend(
                    s.defaults
                        .iter()
                        .chain(&s.params)
                        .map(|(k, _)| k.value.clone()),
                );
                next = s.parent;
            }
            self.known.insert(scope, known);
        }
        &self.known[&scope]
    }

    /// Names visible in `scope` whose values are secret: marked so (`secrets`, the
    /// inventory's, `--secrets-file`), or whose value is a template naming a secret one.
    fn secret_names(&mut self, scope: ScopeId) -> &HashSet<String> {
        if !self.secret.contains_key(&scope) {
            let (context, scopes) = (self.context, self.scopes);
            let mut secret: HashSet<String> = context
                .extra_vars
                .iter()
                .filter(|v| v.secret)
                .map(|v| v.name.clone())
                .collect();
            // Each variable with the names its value uses.
            let mut values: Vec<(&str, HashSet<String>)> = Vec::new();
            let mut uses = |name: &'a str, value: &'a Value, span: Span| {
                let mut texts = Vec::new();
                value.strings(span, &mut texts);
                let names = texts
                    .iter()
                    .flat_map(|(text, _)| self.templates.names(text))
                    .collect();
                values.push((name, names));
            };
            let host_vars = context.inventory.iter().flat_map(|i| &i.hosts);
            for var in host_vars.flat_map(|host| &host.vars) {
                if var.secret {
                    secret.insert(var.name.clone());
                }
                // A value given on the command line is no template (nor is it spanned).
                if let Some(span) = var.span {
                    uses(&var.name, &var.value, span);
                }
            }
            let mut next = Some(scope);
            while let Some(id) = next {
                let s = &scopes[id.0];
                secret.extend(s.secrets.iter().cloned());
                for (name, value) in s.defaults.iter().chain(&s.params) {
                    uses(&name.value, &value.value, value.span);
                }
                next = s.parent;
            }
            while let Some(name) = values
                .iter()
                .find(|(name, used)| {
                    !secret.contains(*name) && used.iter().any(|u| secret.contains(u))
                })
                .map(|(name, _)| (*name).to_owned())
            {
                secret.insert(name);
            }
            self.secret.insert(scope, secret);
        }
        &self.secret[&scope]
    }

    /// An op's `name` is shown in every script, plan and report: no secret may go into it.
    fn secret_in_name(&mut self, globals: &OpArgs, scope: ScopeId) {
        let Some(name) = globals.get("name") else {
            return;
        };
        let ArgValue::Str(text) = &name.value else {
            return;
        };
        let used = self.templates.names(text);
        if used.is_empty() {
            return;
        }
        let secret = self.secret_names(scope);
        let mut shown: Vec<String> = used.into_iter().filter(|u| secret.contains(u)).collect();
        shown.sort();
        for var in shown {
            let at = templates::variable_span(self.sources, text, name.span, &var);
            self.diagnostics.push(
                Diagnostic::new(
                    Code::SecretShown,
                    at,
                    format!("`{var}` holds a secret, which this op's name would show"),
                )
                .label("a secret")
                .help(format!(
                    "names are printed in scripts, plans and reports: leave `{var}` out of `name` (arguments may use it; they are masked)"
                )),
            );
        }
    }

    /// Ids are unique, `notify` names real handlers, handlers are used, limits name real
    /// hosts and groups.
    fn cross_references(&mut self, ops: &[TypedOp], handlers: &[TypedOp]) {
        self.unique_ids(ops.iter().chain(handlers));
        let notified = self.notified_handlers(ops.iter().chain(handlers));
        for op in ops.iter().chain(handlers) {
            self.limits(op);
        }
        for handler in handlers {
            if let Some(id) = &handler.globals.id
                && !notified.contains(&id.value)
            {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::UnusedHandler,
                        id.span,
                        format!("handler `{}` is never notified", id.value),
                    )
                    .label("nothing notifies this")
                    .help("add it to some op's `notify`, or remove it"),
                );
            }
        }
    }

    /// No two ops or handlers have the same id.
    fn unique_ids<'o>(&mut self, ops: impl Iterator<Item = &'o TypedOp>) {
        let mut ids: HashMap<&str, (Span, ScopeId)> = HashMap::new();
        for op in ops {
            let Some(id) = &op.globals.id else {
                continue;
            };
            match ids.get(id.value.as_str()) {
                Some(&(first, first_scope)) if first == id.span => {
                    // One op, in a file included more than once.
                    let mut diagnostic = Diagnostic::new(
                        Code::DuplicateId,
                        id.span,
                        format!("id `{}` is used twice", id.value),
                    )
                    .label("the same id in every inclusion of this file");
                    for (scope, text) in [(first_scope, "included here"), (op.scope, "and here")] {
                        if let Some(via) = self.scopes[scope.0].via {
                            diagnostic = diagnostic.with_label(via, text);
                        }
                    }
                    self.diagnostics.push(diagnostic.help(
                        "ids must be unique across ops and handlers: remove this `id`, or include the file once",
                    ));
                }
                Some(&(first, _)) => self.diagnostics.push(
                    Diagnostic::new(
                        Code::DuplicateId,
                        id.span,
                        format!("id `{}` is used twice", id.value),
                    )
                    .label("used again here")
                    .with_label(first, "first used here")
                    .help("ids must be unique across ops and handlers"),
                ),
                None => {
                    ids.insert(&id.value, (id.span, op.scope));
                }
            }
        }
    }

    /// The handlers some `notify` names (of these ops, or of ops that failed their check);
    /// a `notify` naming no handler is reported.
    fn notified_handlers<'o>(&mut self, ops: impl Iterator<Item = &'o TypedOp>) -> Vec<String> {
        let handler_ids: Vec<&str> = self.handler_ids.iter().map(String::as_str).collect();
        let failed_notifies = std::mem::take(&mut self.failed_notifies);
        let mut notified = Vec::new();
        let notifies = ops
            .flat_map(|op| &op.globals.notify)
            .chain(&failed_notifies);
        for name in notifies {
            if handler_ids.contains(&name.value.as_str()) {
                notified.push(name.value.clone());
                continue;
            }
            let diagnostic = Diagnostic::new(
                Code::UnknownHandler,
                name.span,
                format!("no handler `{}`", name.value),
            )
            .label("notifies nothing");
            self.diagnostics.push(
                match crate::diagnostic::did_you_mean(&name.value, handler_ids.iter().copied()) {
                    Some(best) => diagnostic.help(format!("did you mean `{best}`?")),
                    None => diagnostic.help(
                        "declare it with `[[handler]]` (TOML) or `handler \"...\" { ... }` (KDL)",
                    ),
                },
            );
        }
        notified
    }

    /// `hosts` and `groups` limits must name what the inventory has, when there is one.
    fn limits(&mut self, op: &TypedOp) {
        let Some(inventory) = self.context.inventory else {
            return;
        };
        for host in &op.globals.hosts {
            if inventory.host(&host.value).is_none() {
                let diagnostic = Diagnostic::new(
                    Code::UnknownHost,
                    host.span,
                    format!("no host `{}` in the inventory", host.value),
                )
                .label("unknown host");
                let names: Vec<&str> = inventory.hosts.iter().map(|h| h.name.as_str()).collect();
                self.diagnostics
                    .push(suggest_or_list(diagnostic, &host.value, &names, "hosts"));
            }
        }
        for group in &op.globals.groups {
            if !inventory.has_group(&group.value) {
                let diagnostic = Diagnostic::new(
                    Code::UnknownGroup,
                    group.span,
                    format!("no group `{}` in the inventory", group.value),
                )
                .label("unknown group");
                let names: Vec<&str> = inventory.group_names().collect();
                self.diagnostics
                    .push(suggest_or_list(diagnostic, &group.value, &names, "groups"));
            }
        }
    }
}

/// A did-you-mean help, or else the names there are (the first few).
fn suggest_or_list(diagnostic: Diagnostic, wrong: &str, names: &[&str], what: &str) -> Diagnostic {
    if let Some(best) = crate::diagnostic::did_you_mean(wrong, names.iter().copied()) {
        return diagnostic.help(format!("did you mean `{best}`?"));
    }
    const SHOWN: usize = 8;
    let mut listed: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    if listed.is_empty() {
        return diagnostic.help(format!("the inventory has no {what}"));
    }
    if listed.len() > SHOWN {
        listed.truncate(SHOWN);
        listed.push("...".into());
    }
    diagnostic.help(format!("the inventory's {what} are {}", listed.join(", ")))
}

/// The strings written for `key` in a call, as a string or a list of strings, before any
/// checking: what a call that failed to check still says.
fn raw_strings(call: &crate::model::OpCall, key: &str) -> Vec<Spanned<String>> {
    let string = |value: &Spanned<Value>| match &value.value {
        Value::Str(s) => Some(Spanned::new(s.clone(), value.span)),
        _ => None,
    };
    call.args
        .iter()
        .filter(|(k, _)| k.value == key)
        .flat_map(|(_, value)| match &value.value {
            Value::List(items) => items.iter().filter_map(string).collect(),
            _ => string(value).into_iter().collect::<Vec<_>>(),
        })
        .collect()
}
