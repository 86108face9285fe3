//! `waits.sh`: waiting for a command, and TCP ports.

use super::{Case, case, functions};

/// A case whose call has the port of a listener that stays open while the tests run.
fn with_listener(call: impl Fn(u16) -> String) -> Case {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    Box::leak(Box::new(listener));
    case(Box::leak(call(port).into_boxed_str()))
}

/// A command that keeps how it was called in `calls`.
const RECORD: &str = "echo \"${0##*/} $*\" >> calls";

functions! {
    k_wait => [
        case("k_wait 5 1 test -e f && echo there").given("touch f").prints("there\n"),
        // Tried again every INTERVAL until it succeeds; its output is discarded.
        case("k_wait 5 1 step && cat tries").given("step() { echo try >> tries; echo noise; [ -s tries ] && [ \"$(wc -l < tries)\" -ge 2 ]; }").prints("try\ntry\n"),
        case("k_wait 0 1 false").status(1).says("kiln: still waiting after 0s: giving up\n"),
    ],
    k_not => [
        case("k_not false && echo negated; k_not true || echo negated").prints("negated\nnegated\n"),
    ],
    k_port_open => [
        // With nc.
        case("k_port_open db 5432 && cat calls").stub("nc", RECORD).prints("nc -z -w 2 db 5432\n"),
        // Without nc, from the kernel's table of listening sockets.
        with_listener(|port| format!("k_port_open 127.0.0.1 {port} && echo open")).only(&["cat", "awk", "printf"]).prints("open\n"),
        case("k_port_open 127.0.0.1 1 || echo closed").only(&["cat", "awk", "printf"]).prints("closed\n"),
    ],
    k_port_checkable => [
        case("k_port_checkable db.example && echo with-nc").stub("nc", "exit 0").prints("with-nc\n"),
        case("k_port_checkable localhost && echo local").only(&[]).prints("local\n"),
        case("k_port_checkable db.example")
            .only(&["printf"])
            .status(1)
            .says("kiln: cannot check ports of db.example: nc is not installed\n"),
    ],
    k_wait_for => [
        case("k_wait_for ok --path f --timeout 5 --interval 1 && echo there; k_wait_for ok --path f --gone --timeout 5 --interval 1 || echo not-gone; k_wait_for diff --path f --gone --timeout 5 --interval 1")
            .given("touch f")
            .prints("there\nnot-gone\nwait for f to disappear\n"),
        case("k_wait_for act --command 'test -e f' --timeout 0 --interval 1")
            .status(1)
            .says("kiln: still waiting after 0s: giving up\n"),
        case("k_wait_for diff --port 80 --host db --timeout 5 --interval 1; k_wait_for act --port 80 --host db --timeout 5 --interval 1 && cat calls")
            .stub("nc", r#"echo "nc $*" >> calls"#)
            .prints("wait for port 80 on db to open\nnc -z -w 2 db 80\n"),
    ],
}
