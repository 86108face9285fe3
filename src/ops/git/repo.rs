//! `git.repo`: clone a git repository and keep the checkout up to date, like pyinfra's
//! `git.repo` and Ansible's `git`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::shell::{Sh, quote};
use crate::steps::values::{int, not_an_option};

pub const DEF: OpDef = OpDef::new(
    "git.repo",
    "Clone a git repository to a directory on the host and keep it at a branch or revision.",
    lower,
)
.main_arg("dest")
.args(&[
    arg("repo", Str, "The repository to clone: a URL (`https://...`, `ssh://...`), an scp-style address (`git@host:path`) or a path.").required(),
    arg("dest", Path, "The directory to clone into.").required(),
    arg("branch", Str, "The branch to check out and follow; the remote's default branch when not given."),
    arg("rev", Str, "A commit or tag to check out (detached) instead of the tip of `branch`."),
    arg("pull", Bool, "Fetch and update an existing checkout; when false, only clone if `dest` is missing.").default(Default::Bool(true)),
    arg("depth", Int { min: 1, max: i64::MAX }, "Make a shallow clone with this many commits of history."),
    arg("update_submodules", Bool, "Initialise and update submodules, recursively.").default(Default::Bool(false)),
    arg("ssh_key", Path, "The SSH private key on the host to authenticate with."),
    arg("accept_host_key", Bool, "Add the remote's SSH host key to `known_hosts` if it is not known yet, instead of failing.").default(Default::Bool(false)),
    arg("user", Account, "Run git as this user, who then owns the checkout and whose SSH configuration applies."),
]);

/// Git in `dest`: `k_g -C DEST ...`.
fn git_in(dest: &str, rest: &'static str) -> Sh {
    let mut sh = Sh::of("k_g -C ");
    sh.arg(dest).code(" ").code(rest);
    sh
}

/// Probe: `dest` is a clone of `repo` (its `origin`) whose `HEAD` is the wanted commit:
/// `rev` resolved locally, else the remote's tip of `branch` (or of its default branch),
/// asked with `git ls-remote`, which changes nothing; with `update_submodules`, the
/// submodules are checked out at their recorded commits. With `pull = false`, any clone
/// will do. Act (in a subshell, stopping at the first failure): clone if missing, fix the
/// `origin` URL, fetch, then check out `rev` (detached), or switch to `branch` and
/// fast-forward it (local commits that prevent a fast-forward fail the op: kiln never
/// throws work away), then the submodules. `depth` applies to the clone: later fetches
/// bring the new commits only, connected to what is there, so a fast-forward still works. Every git command runs through `k_g`, as
/// `user` when given, with `ssh_key` / `accept_host_key` in `GIT_SSH_COMMAND`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let repo = input.str("repo");
    let dest = input.str("dest");
    let branch = input.args.str("branch");
    let rev = input.args.str("rev");
    // Each is an operand of some git command (`ls-remote REPO`, `fetch origin REV`), where
    // `--upload-pack=CMD` would run a command.
    for (name, value) in [("repo", Some(repo)), ("branch", branch), ("rev", rev)] {
        not_an_option(input, name, value.unwrap_or_default())?;
    }
    let depth = int(input, "depth");
    let submodules = input.flag("update_submodules");

    let mut ssh = String::new();
    if let Some(key) = input.args.str("ssh_key") {
        ssh.push_str(&format!(" -i {} -o IdentitiesOnly=yes", quote(key)));
    }
    if input.flag("accept_host_key") {
        ssh.push_str(" -o StrictHostKeyChecking=accept-new");
    }
    let mut setup = Sh::of("k_g() { ");
    if let Some(user) = input.args.str("user") {
        setup.code("k_run_as ").arg(user).code(" ");
    }
    if !ssh.is_empty() {
        setup
            .code("env ")
            .arg(&format!("GIT_SSH_COMMAND=ssh{ssh}"))
            .code(" ");
    }
    setup.code("git \"$@\"; }\n");
    let mut depth_flag = Sh::new();
    if let Some(depth) = depth {
        depth_flag.code(" --depth ").int(depth);
    }
    let mut is_clone = Sh::of("[ -d ");
    is_clone.arg(&format!("{}/.git", dest.trim_end_matches('/')));
    is_clone.code(" ]");

    let mut step = Step {
        verify: true,
        ..Step::default()
    };
    for body in [&mut step.probe, &mut step.act, &mut step.diff] {
        body.push(&setup);
    }

    // Probe.
    step.probe.push(&is_clone);
    let mut origin_ok = Sh::of("[ \"$(");
    origin_ok
        .push(&git_in(dest, "config --get remote.origin.url"))
        .code(")\" = ")
        .arg(repo)
        .code(" ]");
    if input.flag("pull") {
        step.probe
            .code(" &&\n")
            .push(&origin_ok)
            .code(" &&\nk_head=$(")
            .push(&git_in(dest, "rev-parse -q --verify HEAD"))
            .code(") &&\n");
        match (rev, branch) {
            (Some(rev), _) => {
                step.probe
                    .code("[ \"$k_head\" = \"$(")
                    .push(&git_in(dest, "rev-parse -q --verify "))
                    .arg(&format!("{rev}^{{commit}}"))
                    .code(")\" ]");
            }
            (None, Some(branch)) => {
                step.probe
                    .code("[ \"$(")
                    .push(&git_in(dest, "symbolic-ref -q --short HEAD"))
                    .code(")\" = ")
                    .arg(branch)
                    .code(" ] &&\n[ \"$k_head\" = \"$(k_g ls-remote ")
                    .arg(repo)
                    .code(" ")
                    .arg(&format!("refs/heads/{branch}"))
                    .code(" | cut -f1)\" ]");
            }
            (None, None) => {
                step.probe
                    .code("[ \"$k_head\" = \"$(k_g ls-remote ")
                    .arg(repo)
                    .code(" HEAD | cut -f1)\" ]");
            }
        }
        if submodules {
            step.probe
                .code(" &&\n! ")
                .push(&git_in(dest, "submodule status --recursive"))
                .code(" | grep -q '^[^ ]'");
        }
    }

    // Act.
    let mut clone = Sh::of("k_g clone -q");
    clone.push(&depth_flag);
    if let (None, Some(branch)) = (rev, branch) {
        clone.code(" --branch ").arg(branch);
    }
    if submodules {
        clone.code(" --recurse-submodules");
    }
    clone
        .code(" -- ")
        .arg(repo)
        .code(" ")
        .arg(dest)
        .code(" || exit 1");
    step.act.code("(\nif ! ").push(&is_clone).code("; then\n  ");
    step.act.push(&clone).code("\n");
    if !input.flag("pull") {
        // Only a new clone is brought to `rev`.
        step.act.code("  ");
        if let Some(rev) = rev {
            checkout_rev(&mut step.act, dest, rev);
        } else {
            step.act.code(":\n");
        }
        step.act.code("fi\n)");
    } else {
        step.act.code("fi\n");
        step.act
            .push(&origin_ok)
            .code(" || ")
            .push(&git_in(dest, "remote set-url origin "))
            .arg(repo)
            .code(" || exit 1\n");
        match (rev, branch) {
            (Some(rev), _) => {
                step.act
                    .push(&git_in(dest, "fetch -q --tags origin || exit 1\n"));
                checkout_rev(&mut step.act, dest, rev);
            }
            (None, Some(branch)) => {
                step.act
                    .push(&git_in(dest, "fetch -q origin "))
                    .arg(&format!(
                        "+refs/heads/{branch}:refs/remotes/origin/{branch}"
                    ))
                    .code(" || exit 1\nif [ \"$(")
                    .push(&git_in(dest, "symbolic-ref -q --short HEAD"))
                    .code(")\" != ")
                    .arg(branch)
                    .code(" ]; then\n  ")
                    .push(&git_in(dest, "checkout -q "))
                    .arg(branch)
                    .code(" -- 2>/dev/null || ")
                    .push(&git_in(dest, "checkout -q -b "))
                    .arg(branch)
                    .code(" --track ")
                    .arg(&format!("origin/{branch}"))
                    .code(" || exit 1\nfi\n")
                    .push(&git_in(dest, "merge -q --ff-only "))
                    .arg(&format!("origin/{branch}"))
                    .code(" || exit 1\n");
            }
            (None, None) => {
                step.act
                    .push(&git_in(dest, "fetch -q origin HEAD || exit 1\n"))
                    .push(&git_in(dest, "merge -q --ff-only FETCH_HEAD || exit 1\n"));
            }
        }
        if submodules {
            step.act.push(&git_in(
                dest,
                "submodule -q update --init --recursive || exit 1\n",
            ));
        }
        step.act.code(")");
    }

    // Diff.
    step.diff
        .code("if ! ")
        .push(&is_clone)
        .code("; then printf 'clone %s into %s\\n' ")
        .arg(repo)
        .code(" ")
        .arg(dest)
        .code("\nelse printf 'update %s (at %s)\\n' ")
        .arg(dest)
        .code(" \"$(")
        .push(&git_in(dest, "rev-parse -q --short HEAD"))
        .code(")\"; fi");
    Ok(step)
}

/// Checks out `rev` detached, fetching it first if it is not known here.
fn checkout_rev(sh: &mut Sh, dest: &str, rev: &str) {
    let commit = format!("{rev}^{{commit}}");
    sh.push(&git_in(dest, "rev-parse -q --verify "))
        .arg(&commit)
        .code(" >/dev/null || ")
        .push(&git_in(dest, "fetch -q origin "))
        .arg(rev)
        .code(" || exit 1\n")
        .push(&git_in(dest, "checkout -q --detach "))
        .arg(&commit)
        .code(" || exit 1\n");
}
