//! `git.repo`: clone a git repository and keep the checkout up to date, like pyinfra's
//! `git.repo` and Ansible's `git`.

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "git.repo",
    summary: "Clone a git repository to a directory on the host and keep it at a branch or revision.",
    main_arg: Some("dest"),
    args: &[
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
    ],
    rules: &[],
    facts: &[],
    validate: None,
    lower: None,
};
