//! `git.sh`: checkouts kept at a branch or a revision, against a repository made here; and
//! configuration keys, in a file and in that repository.

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
    k_git_config => [
        // Set (probe, act, probe), shown, then unset; a second unset holds already.
        case("c() { k_git_config \"$@\" --name a.b --where --file --in f; }; c ok --value 'x y' || echo unset; c diff --value 'x y'; c act --value 'x y'; c ok --value 'x y' && echo holds; c diff --absent; c act --absent; c ok --absent && echo gone")
            .prints("unset\na.b: (unset) -> x y\nholds\na.b: x y -> (unset)\ngone\n"),
        // Every value of a multi-valued key: the probe wants exactly one.
        case("git config --file f --add a.b 1; git config --file f --add a.b 2; k_git_config ok --name a.b --value 2 --where --file --in f || echo two; k_git_config act --name a.b --value 2 --where --file --in f; git config --file f --get-all a.b")
            .prints("two\n2\n"),
        // In a repository (its own configuration).
        case("k_git_config act --name core.autocrlf --value input --where --local --in src; git -C src config --local --get core.autocrlf")
            .given(REPO)
            .prints("input\n"),
    ],
}
