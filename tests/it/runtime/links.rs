//! `links.sh`: symbolic and hard links.

use super::{case, functions};

/// A file `f`, a link `l` to it, a link `nl` whose target ends in a newline, a directory `d`.
const LINKS: &str = "echo x > f; ln -s f l; ln -s 'f\n' nl; mkdir d";

functions! {
    k_link_is => [
        case("k_link_is l f && echo l; k_link_is l ./f || echo exact; k_link_is f f || echo not-a-link; k_link_is missing f || echo missing")
            .given(LINKS)
            .prints("l\nexact\nnot-a-link\nmissing\n"),
        case("k_link_is nl 'f\n' && echo newline-kept; k_link_is nl f || echo differs").given(LINKS).prints("newline-kept\ndiffers\n"),
        case("k_link_is arrow 'a -> b' && echo arrow").given("ln -s 'a -> b' arrow").prints("arrow\n"),
    ],
    k_same_file => [
        case("k_same_file h f && echo hard; k_same_file l f || echo symbolic; k_same_file g f || echo other; k_same_file missing f || echo missing")
            .given("echo x > f; ln f h; ln -s f l; echo x > g")
            .prints("hard\nsymbolic\nother\nmissing\n"),
    ],
    k_link_target => [
        case("k_link_target d/l ../f && echo relative; k_link_target d/l f || echo from-the-link; k_link_target l \"$PWD/f\" && echo absolute; k_link_target l missing || echo missing")
            .given(LINKS)
            .prints("relative\nfrom-the-link\nabsolute\nmissing\n"),
    ],
    k_link_make => [
        case("k_link_make new f 1 0; readlink new").given(LINKS).prints("f\n"),
        // A link in the way is replaced.
        case("k_link_make l other 1 0; readlink l").given(LINKS).prints("other\n"),
        // A hard link to what a symbolic link resolves to.
        case("k_link_make h l 0 0; [ ! -L h ] && [ h -ef f ] && echo hard").given(LINKS).prints("hard\n"),
        case("k_link_make f g 1 0").given(LINKS).status(1).says("kiln: f exists and is not a link (force = true replaces it)\n"),
        case("k_link_make f g 1 1; readlink f").given(LINKS).prints("g\n"),
        case("k_link_make d f 1 0").given(LINKS).status(1).says("kiln: d is a directory (force = true replaces an empty one)\n"),
        case("k_link_make d f 1 1; readlink d").given(LINKS).prints("f\n"),
        case("k_link_make d f 1 1")
            .given("mkdir d; touch d/x")
            .noisy()
            .status(1)
            .leaves("ls d", "x\n"),
    ],
    k_hard_target => [
        case("k_hard_target f; echo \"$k_hard_target_path\"; k_hard_target d/l; [ \"$k_hard_target_path\" = \"$PWD/f\" ] && echo resolved")
            .given("echo x > f; mkdir d; ln -s ../f d/l")
            .prints("f\nresolved\n"),
        // Without realpath, readlink -f (mksh's realpath is a builtin).
        case("k_hard_target l; [ \"$k_hard_target_path\" = \"$PWD/f\" ] && echo resolved")
            .given("echo x > f; ln -s f l")
            .stub("realpath", "exit 1")
            .prints("resolved\n"),
        // A loop resolves to nothing.
        case("k_hard_target l")
            .given("ln -s l l")
            .status(1)
            .says("kiln: cannot resolve the symbolic link l\n"),
    ],
    k_link_remove => [
        case("k_link_remove l 1 0; k_link_remove missing 1 0; ls").given(LINKS).prints("d\nf\nnl\n"),
        // A hard link is a file like any other.
        case("k_link_remove h 0 0; ls").given("echo x > f; ln f h").prints("f\n"),
        case("k_link_remove f 1 0").given(LINKS).status(1).says("kiln: f is not a symbolic link (force = true removes it)\n"),
        case("k_link_remove f 1 1; k_link_remove d 1 1; ls").given(LINKS).prints("l\nnl\n"),
        case("k_link_remove d 1 0").given(LINKS).status(1).says("kiln: d is a directory, not a link (force = true removes an empty one)\n"),
    ],
    k_link => [
        case("k_link ok --path l --target f && echo linked; k_link ok --path new --target f || echo missing; k_link act --path new --target f; readlink new; k_link diff --path l2 --target f")
            .given(LINKS)
            .prints("linked\nmissing\nf\nlink l2 -> f\n"),
        // A missing target fails, unless forced; check mode notes it.
        case("k_link diff --path new --target nothing; k_link act --path new --target nothing")
            .status(1)
            .prints("note: nothing does not exist yet: unless it does when this op runs, the op fails (force = true makes a link to it anyway)\nlink new -> nothing\n")
            .says("kiln: new: nothing does not exist (force = true makes a link to it anyway)\n"),
        case("k_link act --path new --target nothing --force; readlink new").prints("nothing\n"),
        // Hard links, to what a symbolic link resolves to.
        case("k_link act --path h --target \"$PWD/l\" --hard; [ h -ef f ] && [ ! -L h ] && echo hard; k_link ok --path h --target \"$PWD/f\" --hard && echo holds")
            .given(LINKS)
            .prints("hard\nholds\n"),
        case("k_link act --path l --target f --owner 65534; stat -c %u l f; k_link diff --path l --target f --owner 65534")
            .given(LINKS)
            .root()
            .prints("65534\n0\nset owner/group of l\n"),
        case("k_link ok --path l --absent || echo there; k_link act --path l --absent; k_link ok --path l --absent && echo gone; k_link act --path f --absent")
            .given(LINKS)
            .status(1)
            .prints("there\ngone\n")
            .says("kiln: f is not a symbolic link (force = true removes it)\n"),
    ],
}
