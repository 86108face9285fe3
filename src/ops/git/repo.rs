//! `git.repo`: clone a git repository and keep the checkout up to date, like pyinfra's
//! `git.repo` and Ansible's `git`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::{self, Git};
use crate::shell::quote;
use crate::steps::values::{int, not_an_option};

pub(crate) const DEF: OpDef = OpDef::new(
    "git.repo",
    "Clone a git repository to a directory on the host and keep it at a branch or revision.",
    Network::when(
        "unless `repo` is a path on the host (`/...` or `file://`)",
        |args, _| {
            !args
                .str("repo")
                .is_some_and(|repo| repo.starts_with('/') || repo.starts_with("file://"))
        },
        "give `repo` the path of a repository on the host (carried with `files.sync` or `files.unarchive`)",
    ),
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

/// Probe: `dest` is a clone of `repo` (its `origin`) whose `HEAD` is the wanted commit:
/// `rev` resolved locally, else the remote's tip of `branch` (or of its default branch),
/// asked with `git ls-remote`, which changes nothing; with `update_submodules`, the
/// submodules are checked out at their recorded commits. With `pull = false`, any clone
/// will do. Act (in a subshell, stopping at the first failure): clone if missing, fix the
/// `origin` URL, fetch, then check out `rev` (detached), or switch to `branch` and
/// fast-forward it (local commits that prevent a fast-forward fail the op: kiln never
/// throws work away), then the submodules. `depth` applies to the clone: later fetches
/// bring the new commits only, connected to what is there, so a fast-forward still works.
/// Every git command runs as `user` when given, with `ssh_key` / `accept_host_key` in
/// `GIT_SSH_COMMAND`. Lowered to one call of the runtime's `k_git` (`src/runtime/git.sh`).
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
    let ssh_command = if ssh.is_empty() {
        String::new()
    } else {
        format!("ssh{ssh}")
    };
    Ok(Step {
        call: Some(call::git(&Git {
            repo,
            dest,
            branch,
            rev,
            depth,
            pull: input.flag("pull"),
            submodules,
            user: input.args.str("user"),
            ssh_command: &ssh_command,
        })),
        verify: true,
        ..Step::default()
    })
}
