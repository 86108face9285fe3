//! `trees.sh`: directory trees (`files.sync`).

use super::{case, functions};

/// A tree `t`: `a`, `b/c`, `b/d`, `e/f`, `.hidden`, `..dots`, and `l`, a link to a
/// directory outside it (never followed); `keep` keeps `a` and `b/c`, and looks into `b`.
const TREE: &str =
    "mkdir -p t/b t/e out; touch t/a t/b/c t/b/d t/e/f t/.hidden t/..dots out/x; ln -s ../out t/l
keep() { case $1 in a | b/c) return 0 ;; b) return 2 ;; esac; return 1; }";

functions! {
    k_cksum_is => [
        case("k_cksum_is f \"$sum\" && echo same; k_cksum_is f '1 2' || echo differs; k_cksum_is l \"$sum\" || echo link; k_cksum_is missing \"$sum\" || echo missing")
            .given("echo x > f; ln -s f l; sum=$(cksum < f | awk '{ print $1 \" \" $2 }')")
            .prints("same\ndiffers\nlink\nmissing\n"),
        case("(PATH=/nonexistent; k_cksum_is f '1 2')").given("echo x > f").noisy().status(1),
    ],
    k_clear => [
        case("k_clear missing f 0 && k_clear d d 0 && k_clear f f 0 && k_clear l l 0 && echo nothing-to-do; ls")
            .given("mkdir d; touch f; ln -s f l")
            .prints("nothing-to-do\nd\nf\nl\n"),
        // A link of the wrong kind goes; anything else only when replacing.
        case("k_clear l f 0; k_clear l2 d 0; ls").given("touch f; ln -s f l; ln -s d l2").prints("f\n"),
        case("k_clear f d 0").given("touch f").status(1).says("kiln: f is in the way (delete = true replaces it)\n"),
        case("k_clear d f 1; k_clear f l 1; ls").given("mkdir d; touch d/x f"),
    ],
    k_extras => [
        case("k_extras list t keep")
            .given(TREE)
            .prints("b/d\ne/f\ne/\nl\n.hidden\n..dots\n"),
        case("k_extras remove t keep; find t | sort")
            .given(TREE)
            .prints("t\nt/a\nt/b\nt/b/c\n")
            .leaves("ls out", "x\n"),
        // Kept entries are not looked into unless the keeper says so (2).
        case("k_extras list t keep")
            .given("mkdir -p t/a; touch t/a/x; keep() { [ \"$1\" = a ]; }"),
        // What cannot be removed fails the removal.
        case("k_extras remove t keep")
            .given("mkdir -p t/e; touch t/e/f; keep() { return 1; }")
            .stub("rm", "exit 1")
            .status(1)
            .leaves("ls t/e", "f\n"),
    ],
}
