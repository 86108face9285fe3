//! The stable diagnostic codes. Each code is declared once here with its severity and its
//! explanation; `docs/diagnostics.md` is generated from this table.

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($($variant:ident = $name:literal, $severity:ident, $doc:literal;)*) => {
        /// A stable diagnostic code. The `name` is what users see, search for and put in CI
        /// rules; never rename one.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn name(self) -> &'static str {
                match self {
                    $(Code::$variant => concat!("kiln::", $name),)*
                }
            }

            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }

            pub fn explanation(self) -> &'static str {
                match self {
                    $(Code::$variant => $doc,)*
                }
            }
        }
    };
}

codes! {
    Io = "io", Error,
        "A file could not be read: it does not exist, is not readable, or is not UTF-8 text.";
    Syntax = "syntax", Error,
        "The file is not valid TOML or KDL. Every syntax error in the file is reported, each at its position.";
    UnknownKey = "unknown-key", Error,
        "A key that kiln does not know appears where the manifest or inventory structure is fixed (top level, `define`, a host or group).";
    UnknownOp = "unknown-op", Error,
        "The operation named is neither built in nor declared with `define`. `kiln schema` and `docs/ops.md` list the built-in operations.";
    UnknownArgument = "unknown-argument", Error,
        "The operation has no argument of that name, and it is not a global argument either; or it is a global argument for other operations (`changed_when` and `failed_when` are for commands).";
    WrongType = "wrong-type", Error,
        "The value has the wrong type for the argument, e.g. a string where a boolean is expected.";
    MissingArgument = "missing-argument", Error,
        "A required argument of the operation is not given.";
    ConflictingArguments = "conflicting-arguments", Error,
        "Two arguments that exclude each other are both given, or one of a required set is missing.";
    InvalidMode = "invalid-mode", Error,
        "A file mode is neither octal (`\"0644\"`) nor symbolic (`\"u=rw,g=r,o=\"`). Modes are strings: an integer such as `644` is ambiguous.";
    InvalidPath = "invalid-path", Error,
        "A path on the host must be absolute and may not contain a NUL byte.";
    InvalidDuration = "invalid-duration", Error,
        "A duration is a whole number of seconds or a string such as `\"30s\"`, `\"5m\"`, `\"1h30m\"`, `\"2d\"`.";
    InvalidValue = "invalid-value", Error,
        "The value has the right type but is not allowed: out of range, not one of the accepted words, a malformed URL or digest, or an argument that could never converge (such as a `line` containing a newline).";
    InvalidRegex = "invalid-regex", Error,
        "A regular expression is malformed, or uses a construct that kiln cannot translate exactly for every host's awk: lookaround, lazy or possessive quantifiers, back-references inside the pattern, atomic groups, Unicode classes, a `\\b` whose sides depend on the text, a non-ASCII letter under `(?i)`, a repetition too large once written out. The dialect is Python's `re`, as Ansible's users write it; the error points at the construct and says what to write instead.";
    UndefinedVariable = "undefined-variable", Error,
        "A template or `when` expression uses a variable that is defined nowhere: not in the manifest's `vars`, an include's `vars`, the inventory, nor `-e`. `facts` and `host` are always defined.";
    TemplateSyntax = "template-syntax", Error,
        "A string value is not a valid minijinja template. The error points inside the string.";
    UnknownFilter = "unknown-filter", Error,
        "A template or `when` uses a filter (`{{ x | name }}`), a test (`x is name`) or a lookup (`lookup('name', ...)`) that does not exist. They are minijinja's built-in ones, kiln's `secret` filter and Ansible's that docs/templates.md lists; the error points at the name and suggests a close one.";
    VariableCycle = "variable-cycle", Error,
        "Variables are defined from each other in a cycle (`a = \"{{ b }}\"`, `b = \"{{ a }}\"`), so none of them has a value. Every variable of the cycle is shown.";
    TemplateLimit = "template-limit", Error,
        "A template or variable grows past kiln's bounds: its value would be larger than 1 MiB (variables that double each other), or rendering it takes too many steps or recursion levels (a runaway loop or macro). kiln refuses rather than emit a huge script or hang.";
    MissingFacts = "missing-facts", Error,
        "A value needs the host's facts (`facts.…`), which are not known: `kiln emit` without `--facts FILE` knows no facts, and only a `when` condition can be decided on the host. Pass the facts (`kiln facts HOST --json > FILE`), or move the decision into `when`.";
    InvalidWhen = "invalid-when", Error,
        "A `when` condition is not a valid minijinja expression.";
    RuntimeValue = "runtime-value", Error,
        "A registered result (`register = \"NAME\"`) is used where its value is needed when the script is made (a file's content, a path, a name). A registered result exists only on the host, as the script runs: use it in `when` or in a shell command, or gather the value as a custom fact.";
    InvalidLoop = "invalid-loop", Error,
        "A `loop` cannot be expanded: its value is not a list or a map (a string, a number; as written, or as rendered for a host), `loop_var` is not a variable name or is the variable of an enclosing loop, `loop_var` or `loop_label` is given without `loop`, or a handler loops.";
    UnknownHandler = "unknown-handler", Error,
        "`notify` names a handler that no `handler` declares.";
    DuplicateId = "duplicate-id", Error,
        "Two operations, handlers, hosts, groups or definitions share one id. Both places are shown.";
    IncludeCycle = "include-cycle", Error,
        "A manifest includes itself, directly or through other includes. Both the include that closes the cycle and the one that opened it are shown.";
    IncludeNotFound = "include-not-found", Error,
        "An `include` names a file or directory that does not exist, or a directory without a `main.toml` or `main.kdl`.";
    UnknownHost = "unknown-host", Error,
        "An inventory group, or an op's `hosts` limit, names a host that the inventory does not declare.";
    UnknownGroup = "unknown-group", Error,
        "An inventory group's `children`, or an op's `groups` limit, names a group that the inventory does not declare.";
    GroupCycle = "group-cycle", Error,
        "Inventory groups contain each other through `children`.";
    InvalidTarget = "invalid-target", Error,
        "A target on the command line is not one of `@local`, `ssh://[user@]host[:port]`, `@docker/NAME`, `@podman/NAME`, `@chroot/PATH`, a host name, or an inventory file.";
    DynamicInventory = "dynamic-inventory", Error,
        "An inventory program failed, or printed something that is not the JSON inventory shape.";
    Unsupported = "unsupported", Error,
        "The operation is checked by `kiln check`, but kiln cannot run it yet: its shell lowering is not implemented.";
    SecretShown = "secret-shown", Error,
        "A secret (a variable under `secrets` or from `--secrets-file`, or a variable made from one) is used where kiln shows it to people: an op's `name`, which scripts, plans and reports print. Leave the secret out of the name; the op's arguments may use it (they are masked).";
    FirewallLockout = "firewall-lockout", Error,
        "A firewall is enabled (`ufw.enabled`, or an `nftables.ruleset` whose input chain's policy is `drop`) and nothing in the host's manifest accepts the SSH port kiln connects to it through (the inventory's `port`, else 22): the run would cut its own connection, and every later run. Add a rule that accepts the port (`ufw.rule` `allow` or `limit`, an `accept` for `tcp dport` in the ruleset), or write `force = true` on the op when another way in is certain.";
    UnguardedCommand = "unguarded-command", Warning,
        "A command runs on every apply because it has none of the guards that would make it idempotent (`creates`, `removes`, `unless`, `onlyif`, `changed_when`, or a `when` that reads a registered result). Add one; a harmless command that changes nothing says so with `changed_when = \"false\"`.";
    QuotedTemplate = "quoted-template", Warning,
        "A `{{ }}` stands inside quotes in a shell command. Values inserted into commands are quoted by kiln already, so quotes around them become part of the command: `'{{ path }}'` turns into `''/a b''`, leaving the value unquoted. Remove the quotes, or use `{{ x | safe }}` to insert a value as code.";
    FirewallDeniesSsh = "firewall-denies-ssh", Warning,
        "A `ufw.rule` denies or rejects incoming traffic (or a `firewalld.service` `ssh` or `firewalld.port` is disabled) to the SSH port kiln connects to the host through (the inventory's `port`, else 22): once the firewall is enabled, the run may cut its own connection. Make sure an earlier rule allows the controller's address, or deny another port.";
    UnusedHandler = "unused-handler", Warning,
        "A handler is declared but no operation notifies it, so it can never run.";
}
