//! `zypper.key`: a signing key in rpm's database, which zypper checks packages with, like
//! Ansible's `rpm_key`; one implementation with the other rpm managers' (`ops::rpm_family`).

use crate::opdef::prelude::*;
use crate::ops::rpm_family;

pub(crate) const DEF: OpDef = OpDef::new(
    "zypper.key",
    "Ensure rpm's database holds a signing key for zypper, imported from a URL or a file on the host and checked by fingerprint.",
    rpm_family::KEY_NETWORK,
    rpm_family::lower_key,
)
.main_arg("key")
.args(rpm_family::KEY_ARGS)
.validate(rpm_family::validate_key);
