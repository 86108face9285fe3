//! Which hosts need their facts gathered before their script can be made.
//!
//! Facts cost a round trip's worth of probing, so they are gathered only for a host whose
//! script reads them: an op it runs declares facts its lowering reads (`OpDef::facts`), or
//! a template or `when` condition names the variable `facts` — in an op's arguments or
//! globals, a define's probe and apply, a template file, or a variable the host sees (the
//! manifest's and includes' `vars`, the inventory's, the command line's). Names are found
//! by minijinja's own analysis of each template ("undeclared variables"), so a word `facts`
//! in a comment, a string or a command does not count, and a use is never missed because
//! of how it is spelled.
//!
//! The analysis is conservative where it cannot see: a template file it cannot read (or
//! whose path is itself a template) counts as using facts.

use minijinja::Environment;

use super::reads::{op_reads, strings_read};
use crate::check::{Compiled, OpKind, TypedOp};
use crate::inventory::Host;
use crate::source::{FileId, SourceMap, Span};

/// The variable templates see the host's facts as.
const FACTS: &str = "facts";

/// What the manifest needs of facts, worked out once for all hosts.
pub struct FactsNeed {
    /// An op, a define or a manifest variable reads facts, whatever the host.
    manifest: bool,
    env: Environment<'static>,
}

impl FactsNeed {
    pub fn of(sources: &SourceMap, compiled: &Compiled) -> FactsNeed {
        let env = crate::template::environment(false);
        let ops = compiled.ops.iter().chain(&compiled.handlers);
        let manifest = ops.clone().any(|op| op_reads_facts(&env, sources, op))
            || compiled.scopes.iter().any(|scope| {
                let tables = scope.defaults.iter().chain(&scope.params);
                tables.into_iter().any(|(_, value)| {
                    let mut strings = Vec::new();
                    value.value.strings(value.span, &mut strings);
                    strings_read_facts(&env, &strings)
                })
            });
        FactsNeed { manifest, env }
    }

    /// Whether `host`'s script reads its facts: the manifest does, or one of the host's own
    /// variables (from the inventory or the command line) is made from them.
    pub fn host(&self, host: &Host) -> bool {
        self.manifest
            || host.vars.iter().any(|var| {
                // Where it was written does not matter here, and a command-line value has no place.
                let nowhere = Span::new(FileId(0), 0..0);
                let mut strings = Vec::new();
                var.value.strings(var.span.unwrap_or(nowhere), &mut strings);
                strings_read_facts(&self.env, &strings)
            })
    }
}

fn op_reads_facts(env: &Environment<'_>, sources: &SourceMap, op: &TypedOp) -> bool {
    let declared = matches!(&op.kind, OpKind::Builtin(def) if !def.facts.is_empty());
    // What cannot be seen (a template file that cannot be read) might read them.
    declared || op_reads(env, sources, op).is_none_or(|names| names.contains(FACTS))
}

fn strings_read_facts(env: &Environment<'_>, strings: &[(&str, Span)]) -> bool {
    strings_read(env, strings).contains(FACTS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Globals;
    use crate::check::ScopeId;
    use crate::opdef::OpArgs;
    use crate::project::Project;

    /// Whether each host of `inventory` (none: `@local`) needs facts for the project made
    /// of `files` (its `main.toml` first).
    fn needs(files: &[(&str, &str)], inventory: &[&str]) -> Vec<bool> {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let mut project = Project::default();
        let specs: Vec<String> = inventory.iter().map(|s| s.to_string()).collect();
        let inventory = project.inventory(&specs, dir.path());
        let entry = project.entry(dir.path()).unwrap();
        let compiled = project.compile(&entry, Some(&inventory)).unwrap();
        assert!(
            !project.diagnostics.has_errors(),
            "{:?}",
            project.take_diagnostics()
        );
        let need = FactsNeed::of(&project.sources, &compiled);
        inventory.hosts.iter().map(|h| need.host(h)).collect()
    }

    const PUT: &str = "[[op]]\nop = \"files.put\"\ndest = \"/tmp/x\"\n";

    #[test]
    fn ops_that_read_no_facts_need_none_whatever_their_text_says() {
        let manifest = format!(
            "# facts are not gathered for this manifest\n[vars]\nnote = \"no facts here\"\n\n\
             {PUT}content = \"facts: {{{{ note }}}}\\n\"\n\n\
             [[op]]\nop = \"server.shell\"\ncommands = \"echo facts\"\n\n\
             [[op]]\nop = \"package.packages\"\npackages = [\"curl\"]\n\n\
             [[op]]\nop = \"service.service\"\nservice = \"cron\"\n"
        );
        assert_eq!(needs(&[("main.toml", &manifest)], &[]), [false]);
    }

    #[test]
    fn a_when_over_facts_needs_them() {
        let manifest = format!("{PUT}content = \"x\"\nwhen = \"facts.os.family == 'debian'\"\n");
        assert_eq!(needs(&[("main.toml", &manifest)], &[]), [true]);
    }

    #[test]
    fn an_argument_or_a_variable_made_from_facts_needs_them() {
        let argument = format!("{PUT}content = \"{{{{ facts.arch }}}}\"\n");
        assert_eq!(needs(&[("main.toml", &argument)], &[]), [true]);
        let variable = format!(
            "[vars]\narch = \"{{{{ facts['arch'] }}}}\"\n\n{PUT}content = \"{{{{ arch }}}}\"\n"
        );
        assert_eq!(needs(&[("main.toml", &variable)], &[]), [true]);
    }

    #[test]
    fn a_template_file_is_read_for_facts() {
        let manifest = "[[op]]\nop = \"files.template\"\nsrc = \"t.j2\"\ndest = \"/tmp/t\"\n";
        let plain = [
            ("main.toml", manifest),
            ("t.j2", "# facts: none\n{{ host.name }}\n"),
        ];
        assert_eq!(needs(&plain, &[]), [false]);
        let reading = [("main.toml", manifest), ("t.j2", "{{ facts.os.id }}\n")];
        assert_eq!(needs(&reading, &[]), [true]);
        // Read with the delimiters its `#jinja2:` header sets.
        let header =
            "#jinja2: variable_start_string: '[[', variable_end_string: ']]'\n[[ facts.os.id ]]\n";
        assert_eq!(
            needs(&[("main.toml", manifest), ("t.j2", header)], &[]),
            [true]
        );
    }

    #[test]
    fn only_the_hosts_whose_own_variables_read_facts_need_them() {
        let manifest = format!("{PUT}content = \"{{{{ greeting }}}}\"\n");
        let inventory = "[vars]\ngreeting = \"hello\"\n\n\
                         [hosts.a]\naddress = \"a.example\"\n\n\
                         [hosts.b]\naddress = \"b.example\"\n\
                         vars = { greeting = \"hello {{ facts.hostname }}\" }\n";
        let files = [
            ("main.toml", manifest.as_str()),
            ("inventory.toml", inventory),
        ];
        assert_eq!(needs(&files, &[]), [false, true]);
    }

    #[test]
    fn an_op_that_declares_facts_needs_them() {
        let directory = crate::ops::lookup("files.directory").unwrap();
        let reads_facts: &'static crate::opdef::OpDef = Box::leak(Box::new(
            crate::opdef::OpDef::new(
                directory.name,
                directory.summary,
                directory.network,
                directory.lower,
            )
            .args(directory.args)
            .facts(&["os.family"]),
        ));
        let mut sources = SourceMap::new();
        let file = sources.add(std::path::Path::new("main.toml"), String::new());
        let op = |def: &'static crate::opdef::OpDef| TypedOp {
            kind: OpKind::Builtin(def),
            args: OpArgs::default(),
            globals: Globals::default(),
            scope: ScopeId(0),
            origin: Span::new(file, 0..0),
        };
        let compiled = |def| Compiled {
            ops: vec![op(def)],
            handlers: Vec::new(),
            scopes: Vec::new(),
            facts: Vec::new(),
            start_item: None,
        };
        let host = crate::inventory::Host {
            name: "@local".into(),
            target: crate::inventory::Target::Local,
            groups: vec!["all".into()],
            vars: Vec::new(),
        };
        let need = |def| FactsNeed::of(&sources, &compiled(def)).host(&host);
        assert!(need(reads_facts));
        assert!(!need(directory));
    }
}
