//! A network namespace of the test's own, held by a `sleep` the test started and ended by
//! its PID when dropped: what runs in it (through `nsenter`) makes its bridges, firewall
//! rules and loaded rulesets there, never on this machine.

use std::process::{Child, Command};

pub(crate) struct NetworkNamespace {
    holder: Child,
}

impl NetworkNamespace {
    /// A new namespace, there once `unshare` has run `sleep`.
    pub(crate) fn new() -> NetworkNamespace {
        let holder = Command::new("unshare")
            .args(["--net", "sleep", "3600"])
            .spawn()
            .expect("unshare runs (util-linux)");
        let pid = holder.id();
        let own = std::fs::read_link("/proc/self/ns/net").unwrap();
        while std::fs::read_link(format!("/proc/{pid}/ns/net"))
            .ok()
            .as_ref()
            == Some(&own)
        {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        NetworkNamespace { holder }
    }

    /// The PID whose namespace it is (`nsenter -t PID -n`).
    pub(crate) fn pid(&self) -> u32 {
        self.holder.id()
    }
}

impl Drop for NetworkNamespace {
    fn drop(&mut self) {
        let _ = self.holder.kill();
        let _ = self.holder.wait();
    }
}
