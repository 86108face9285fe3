//! `server.locale`: generate (or remove) a locale, like pyinfra's `server.locale` and
//! Ansible's `locale_gen`.

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "server.locale",
    summary: "Ensure a locale is generated and available on the host, or is not.",
    main_arg: Some("locale"),
    args: &[
        arg("locale", Str, "The locale, e.g. `en_US.UTF-8`.").required(),
        arg("present", Bool, "Whether the locale should be available.")
            .default(Default::Bool(true)),
    ],
    rules: &[],
    facts: &["os.family"],
    validate: None,
    lower: None,
};
