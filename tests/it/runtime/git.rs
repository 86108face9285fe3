//! `git.sh`: checkouts kept at a branch or a revision, against a repository made here.

use super::{case, functions};

/// A repository `src` with two commits on `main`; `first` holds the first commit's id.
const REPO: &str =
    "git init -q -b main src && g() { git -C src -c user.name=k -c user.email=k@k \"$@\"; } &&
echo 1 > src/f && g add f && g commit -q -m one && first=$(g rev-parse HEAD) &&
echo 2 > src/f && g commit -q -am two";

functions! {
    k_git => [
        // Cloned, then at the branch's tip; a new commit there makes the probe fail.
        case("k_git ok --repo \"$PWD/src\" --dest dst || echo missing; k_git act --repo \"$PWD/src\" --dest dst --branch main; cat dst/f; k_git ok --repo \"$PWD/src\" --dest dst --branch main && echo holds; echo 3 > src/f; g commit -q -am three; k_git ok --repo \"$PWD/src\" --dest dst --branch main || echo behind; k_git act --repo \"$PWD/src\" --dest dst --branch main; cat dst/f")
            .given(REPO)
            .prints("missing\n2\nholds\nbehind\n3\n"),
        // At a revision, detached.
        case("k_git act --repo \"$PWD/src\" --dest dst --rev \"$first\"; cat dst/f; k_git ok --repo \"$PWD/src\" --dest dst --rev \"$first\" && echo holds")
            .given(REPO)
            .prints("1\nholds\n"),
        case("k_git diff --repo \"$PWD/src\" --dest dst | sed \"s#$PWD#PWD#\"; git clone -q src dst; k_git diff --repo \"$PWD/src\" --dest dst | sed 's/(at .*)/(at HEAD)/'; k_git ok --repo \"$PWD/other\" --dest dst || echo other-origin; k_git ok --repo \"$PWD/other\" --dest dst --no-pull && echo any-clone")
            .given(REPO)
            .prints("clone PWD/src into dst\nupdate dst (at HEAD)\nother-origin\nany-clone\n")
            .noisy(),
    ],
}
