//! `facts.sh`: facts decided on the host, from the probe's output in `k_facts`.

use super::{case, functions};

/// A probe's output.
const FACTS: &str = "k_facts='os.family=debian
os.version=  12 \t
users=root,www,,
groups=,'";

functions! {
    k_fact => [
        case("k_fact os.family; k_fact os.version; k_fact users; k_fact missing").given(FACTS).prints("debian\n12\nroot,www,,\n"),
        case("k_fact os.family").prints(""),
    ],
    k_fact_need => [
        case("k_fact_need os.family && k_fact_need groups && echo known").given(FACTS).prints("known\n"),
        case("k_fact_need pkg.manager")
            .given(FACTS)
            .status(1)
            .says("kiln: this host has no fact pkg.manager, which a when condition uses\n"),
    ],
    k_in_list => [
        case("k_in_list www root,www,, && echo in; k_in_list ww root,www || echo not-a-prefix; k_in_list '' root,,www || echo empty-never")
            .prints("in\nnot-a-prefix\nempty-never\n"),
    ],
    k_list_any => [
        case("k_list_any root, && echo some; k_list_any ,, || echo none; k_list_any '' || echo empty").prints("some\nnone\nempty\n"),
    ],
}
