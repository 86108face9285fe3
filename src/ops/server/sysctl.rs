//! `server.sysctl`: set a kernel parameter, now and optionally across reboots, like pyinfra's
//! `server.sysctl` and Ansible's `sysctl`.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call;
use crate::steps::values::one_line;

pub(crate) const DEF: OpDef = OpDef::new(
    "server.sysctl",
    "Set a kernel parameter with `sysctl`, and optionally persist it in a sysctl configuration file.",
    Network::Never,
    lower,
)
.main_arg("key")
.args(&[
    arg("key", Str, "The parameter, e.g. `net.ipv4.ip_forward`.").required(),
    arg("value", Str, "The value, as `sysctl` prints it (several values separated by spaces, e.g. `\"4096 87380 6291456\"`).").required(),
    arg("persist", Bool, "Also write the setting to `file` so it survives a reboot.").default(Default::Bool(true)),
    arg("file", Path, "The file the setting is persisted in.").default(Default::Str("/etc/sysctl.d/99-kiln.conf")),
]);

/// Probe: `sysctl -n` prints the value (whitespace normalized, so `"4096 87380 6291456"`
/// matches the tabs the kernel prints) and, with `persist`, the file has `key = value`
/// (replacing the key's line where it is, else appended). Act: `sysctl -w` if the running
/// value differs, then the file.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let key = input.str("key");
    let value = input.str("value");
    if key.is_empty() || key.contains(|c: char| c.is_whitespace() || c == '=') {
        return Err(
            Diagnostic::new(Code::InvalidValue, input.span("key"), "not a sysctl key")
                .label("a key has no spaces or `=`")
                .help("e.g. `net.ipv4.ip_forward`"),
        );
    }
    one_line(input, "value", value)?;
    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    let key = key.replace('/', ".");
    Ok(Step {
        call: Some(call::sysctl(
            &key,
            &value,
            input.flag("persist").then(|| input.str("file")),
        )),
        verify: true,
        ..Step::default()
    })
}
