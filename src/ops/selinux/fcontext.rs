//! `selinux.fcontext`: a file context rule of the SELinux policy, like Ansible's
//! `community.general.sefcontext`, and the files it covers relabelled when asked.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::{self, FileContext};

pub(crate) const DEF: OpDef = OpDef::new(
    "selinux.fcontext",
    "Ensure the SELinux policy gives files matching a path expression a context type (`semanage fcontext`), or no local rule does, and relabel a path after a change.",
    Network::Never,
    lower,
)
.main_arg("target")
.args(&[
    arg("target", Str, "The path regular expression, as `semanage fcontext` takes it (`/srv/www(/.*)?`).").required(),
    arg("setype", Str, "The context type the files get (`httpd_sys_content_t`). Required when `present`."),
    arg("ftype", Enum(&["a", "f", "d", "c", "b", "s", "l", "p"]), "The file type the rule is for: `a` all files, `f` regular files, `d` directories, `c` character and `b` block devices, `s` sockets, `l` symbolic links, `p` named pipes.").default(Default::Str("a")),
    arg("seuser", Str, "The SELinux user of the context (`system_u`)."),
    arg("selevel", Str, "The MLS/MCS level of the context (`s0`)."),
    arg("present", Bool, "Whether the rule should exist; `false` deletes the local rule for the expression and file type (a rule of the policy itself cannot be deleted).").default(Default::Bool(true)),
    arg("restorecon", Path, "Relabel this path (`restorecon -R`) after the rule changed, so the files it covers get the new context."),
])
.rules(&[Rule::RequiredIf("present", &["setype"])]);

/// One call of `k_selinux_fcontext` (`src/runtime/selinux.sh`): the rules, `semanage
/// fcontext -l` (the local ones alone, `-C`, for a deletion), are the probe; a rule for the
/// expression and file type is changed (`-m`), else one is added (`-a`).
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let target = input.str("target");
    if target.is_empty() || target.contains(['\n', ' ', '\t']) {
        return Err(Diagnostic::new(
            Code::InvalidValue,
            input.span("target"),
            "not a path expression `semanage fcontext` can list",
        )
        .label("an expression is one word, without spaces")
        .help("match a space with `\\s`, e.g. `/srv/my\\sfiles(/.*)?`"));
    }
    Ok(Step {
        call: Some(call::selinux_fcontext(&FileContext {
            target,
            ftype: input.str("ftype"),
            setype: input.str("setype"),
            seuser: input.str("seuser"),
            selevel: input.str("selevel"),
            absent: !input.flag("present"),
            restorecon: input.str("restorecon"),
        })),
        verify: true,
        ..Step::default()
    })
}
