//! `validate` (issue 14, item 3) in live runs through the local target: a rejected file is
//! left as it was, byte for byte and the same inode, and the op fails with what the
//! validator printed; a plan runs the validator on the candidate and says `would fail
//! validation`; an accepted file is installed.

use std::os::unix::fs::MetadataExt;

use crate::support::kiln::Test;
use crate::support::need::{Need, require};

const MANIFEST: &str = r#"
[[op]]
op = "files.put"
dest = "{{ root }}/app.conf"
content = "{{ content }}"
validate = "grep -q '^port [0-9][0-9]*$' %s || { echo \"invalid: $(cat %s)\"; exit 1; }"
"#;

#[test]
fn a_rejected_file_is_left_as_it_was_and_a_plan_says_it_would_fail() {
    require!(Need::Shells);
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("root");
    std::fs::create_dir(&root).unwrap();
    let conf = root.join("app.conf");
    std::fs::write(&conf, "port 80\n").unwrap();
    let inode = std::fs::metadata(&conf).unwrap().ino();
    std::fs::write(temp.path().join("main.toml"), MANIFEST).unwrap();
    let run = |command: &str, content: &str| {
        Test::new()
            .current_dir(temp.path())
            .args([command, ".", "-i", "@local", "-e"])
            .arg(format!("root={}", root.display()))
            .args(["-e", &format!("content={content}")])
            .args(if command == "apply" {
                vec!["-y"]
            } else {
                vec![]
            })
            .run()
    };

    let plan = run("plan", "port eighty\n");
    plan.assert_status(1);
    plan.assert_stdout_contains("would fail validation: invalid: port eighty");
    let apply = run("apply", "port eighty\n");
    apply.assert_status(1);
    assert!(
        apply.transcript().contains("invalid: port eighty"),
        "{}",
        apply.transcript()
    );
    assert_eq!(std::fs::read_to_string(&conf).unwrap(), "port 80\n");
    assert_eq!(std::fs::metadata(&conf).unwrap().ino(), inode);
    assert_eq!(
        std::fs::read_dir(&root).unwrap().count(),
        1,
        "no temporary left"
    );

    let plan = run("plan", "port 8080\n");
    plan.assert_status(0);
    plan.assert_stdout_contains("+port 8080");
    run("apply", "port 8080\n").assert_status(0);
    assert_eq!(std::fs::read_to_string(&conf).unwrap(), "port 8080\n");
}
