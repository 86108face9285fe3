//! `server.user`: ensure a local user account exists (or not), like pyinfra's `server.user`
//! and Ansible's `user`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::shell::Sh;
use crate::steps::values::{int, words};

pub const DEF: OpDef = OpDef::new(
    "server.user",
    "Ensure a local user account exists with the given properties, or is absent.",
    lower,
)
.main_arg("user")
.args(&[
    arg("user", Account, "The user's login name.").required(),
    arg("present", Bool, "Whether the user should exist.").default(Default::Bool(true)),
    arg("uid", Int { min: 0, max: 4_294_967_294 }, "The numeric user id."),
    arg("group", Account, "The primary group (which must exist); by default a group named after the user, or the system default."),
    arg("supplementary_groups", List(&Account), "Supplementary groups (which must exist); the user's other supplementary groups are removed unless `append` is true."),
    arg("append", Bool, "Add the user to `supplementary_groups` without removing it from any other group.").default(Default::Bool(false)),
    arg("home", Path, "The home directory."),
    arg("shell", Path, "The login shell."),
    arg("system", Bool, "Create a system account (a uid in the system range); only used when the user is created.").default(Default::Bool(false)),
    arg("create_home", Bool, "Create the home directory when the user is created.").default(Default::Bool(true)),
    arg("password", PasswordHash, "The password, already hashed in crypt(3) form (`$6$...`, from `openssl passwd -6` or `mkpasswd -m sha-512`), or `!` (locked) / `*` (no password); a plain-text password is refused. Masked in scripts and reports.").secret(),
    arg("comment", Str, "The GECOS comment (usually the full name)."),
])
.rules(&[Rule::Requires("append", "supplementary_groups")]);

/// One property of the account: how to test it, show it, and set it.
struct Property {
    name: &'static str,
    /// Succeeds when the account has it (`$k_ent` holds the passwd entry).
    test: Sh,
    /// A word printing the current value.
    current: Sh,
    /// Shown as the wanted value.
    wanted: Sh,
    /// ` -x VALUE` for useradd and usermod.
    option: Sh,
    /// ` -x VALUE` for busybox's adduser (none: set after creating).
    busybox: Option<Sh>,
}

fn field(
    name: &'static str,
    n: i64,
    value: &str,
    flag: &'static str,
    bb: &'static str,
) -> Property {
    let mut current = Sh::of("\"$(k_field \"$k_ent\" ");
    current.int(n).code(")\"");
    let mut test = Sh::of("[ ");
    test.push(&current).code(" = ").arg(value).code(" ]");
    let mut wanted = Sh::new();
    wanted.arg(value);
    let mut option = Sh::of(flag);
    option.arg(value);
    let mut busybox = Sh::of(bb);
    busybox.arg(value);
    Property {
        name,
        test,
        current,
        wanted,
        option,
        busybox: Some(busybox),
    }
}

/// Probe with `getent passwd` / `id` (each given property compared); act with `useradd` /
/// `usermod` / `userdel`, or busybox's `adduser` / `deluser` where the shadow tools are
/// missing (it can create and delete, not modify). A home directory is created with a new
/// user (`create_home`), never moved. When no `group` is given and a group named after the
/// user exists, a new user gets it as primary group (plain `useradd` would refuse).
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let user = input.str("user");
    let mut step = Step {
        verify: true,
        ..Step::default()
    };
    let mut exists = Sh::of("k_ent=$(k_getent passwd ");
    exists.arg(user).code(") && [ -n \"$k_ent\" ]");
    if !input.flag("present") {
        step.probe
            .code("! k_getent passwd ")
            .arg(user)
            .code(" >/dev/null");
        step.act
            .code("if command -v userdel >/dev/null 2>&1; then userdel ")
            .arg(user)
            .code("; else deluser ")
            .arg(user)
            .code("; fi");
        step.diff.code("printf 'remove user %s\\n' ").arg(user);
        return Ok(step);
    }

    let mut props: Vec<Property> = Vec::new();
    let uid = int(input, "uid");
    if let Some(uid) = uid {
        props.push(field("uid", 3, &uid.to_string(), " -u ", " -u "));
    }
    let group = input.args.str("group");
    if let Some(group) = group {
        let mut test = Sh::of("{ [ \"$(id -gn ");
        test.arg(user)
            .code(")\" = ")
            .arg(group)
            .code(" ] || [ \"$(id -g ")
            .arg(user)
            .code(")\" = ")
            .arg(group)
            .code(" ]; }");
        let mut current = Sh::of("\"$(id -gn ");
        current.arg(user).code(")\"");
        let mut wanted = Sh::new();
        wanted.arg(group);
        let mut option = Sh::of(" -g ");
        option.arg(group);
        let mut busybox = Sh::of(" -G ");
        busybox.arg(group);
        props.push(Property {
            name: "group",
            test,
            current,
            wanted,
            option,
            busybox: Some(busybox),
        });
    }
    let groups = input.strings("supplementary_groups");
    let append = input.flag("append");
    if input.args.contains("supplementary_groups") {
        let mut test = Sh::of("k_groups_ok ");
        test.arg(user).code(if append { " 1" } else { " 0" });
        words(&mut test, &groups);
        let mut current = Sh::of("\"$(id -Gn ");
        current.arg(user).code(")\"");
        let mut wanted = Sh::new();
        wanted.arg(&groups.join(" "));
        let mut option = Sh::of(" -G ");
        option.arg(&groups.join(","));
        if append {
            option.code(" -a");
        }
        props.push(Property {
            name: "groups",
            test,
            current,
            wanted,
            option,
            busybox: None,
        });
    }
    if let Some(home) = input.args.str("home") {
        props.push(field("home", 6, home, " -d ", " -h "));
    }
    if let Some(shell) = input.args.str("shell") {
        props.push(field("shell", 7, shell, " -s ", " -s "));
    }
    if let Some(comment) = input.args.str("comment") {
        props.push(field("comment", 5, comment, " -c ", " -g "));
    }
    let password = input.args.str("password");
    if let Some(hash) = password {
        let mut test = Sh::of("[ \"$(k_field \"$(k_getent shadow ");
        test.arg(user).code(")\" 2)\" = ").secret(hash).code(" ]");
        // Set after the account exists, through chpasswd's standard input: `useradd -p`
        // would show the hash to every user's `ps`.
        props.push(Property {
            name: "password",
            test,
            current: Sh::of("'(hidden)'"),
            wanted: Sh::of("'(hidden)'"),
            option: Sh::new(),
            busybox: None,
        });
    }

    // Probe.
    step.probe.push(&exists);
    for prop in &props {
        step.probe.code(" &&\n").push(&prop.test);
    }

    // Act: modify, or create.
    step.act.code("if ").push(&exists).code("; then\n  ");
    if props.iter().all(|p| p.option.is_empty()) {
        step.act.code(":");
    } else {
        step.act.code("usermod");
        for prop in &props {
            step.act.push(&prop.option);
        }
        step.act.code(" ").arg(user);
    }
    let mut useradd = Sh::of("useradd");
    if input.flag("system") {
        useradd.code(" -r");
    }
    useradd.code(if input.flag("create_home") {
        " -m"
    } else {
        " -M"
    });
    for prop in &props {
        if prop.name == "groups" {
            // A new user has no other groups: `-a` (usermod's) is meaningless here.
            if !groups.is_empty() {
                useradd.code(" -G ").arg(&groups.join(","));
            }
        } else {
            useradd.push(&prop.option);
        }
    }
    step.act
        .code("\nelif command -v useradd >/dev/null 2>&1; then\n  ");
    if group.is_none() {
        step.act
            .code("if k_getent group ")
            .arg(user)
            .code(" >/dev/null; then ")
            .push(&useradd)
            .code(" -g ")
            .arg(user)
            .code(" ")
            .arg(user)
            .code("; else ")
            .push(&useradd)
            .code(" ")
            .arg(user)
            .code("; fi");
    } else {
        step.act.push(&useradd).code(" ").arg(user);
    }
    step.act.code("\nelse\n  adduser -D");
    if input.flag("system") {
        step.act.code(" -S");
    }
    if !input.flag("create_home") {
        step.act.code(" -H");
    }
    for busybox in props.iter().filter_map(|p| p.busybox.as_ref()) {
        step.act.push(busybox);
    }
    step.act.code(" ").arg(user);
    for group in &groups {
        step.act
            .code(" &&\n  addgroup ")
            .arg(user)
            .code(" ")
            .arg(group);
    }
    step.act.code("\nfi");
    if let Some(hash) = password {
        step.act
            .code(" &&\nk_print ")
            .secret(&format!("{user}:{hash}"))
            .code(" | chpasswd -e");
    }

    // Diff.
    step.diff
        .code("if ! { ")
        .push(&exists)
        .code("; }; then\n  printf 'create user %s\\n' ")
        .arg(user)
        .code("\nelse\n  :");
    for prop in &props {
        step.diff
            .code("\n  ")
            .push(&prop.test)
            .code(" || printf '%s: %s -> %s\\n' ")
            .arg(prop.name)
            .code(" ")
            .push(&prop.current)
            .code(" ")
            .push(&prop.wanted);
    }
    step.diff.code("\nfi");
    Ok(step)
}
