//! `report.sh`: the run's JSON report (`--report PATH`).

use super::{case, functions};

functions! {
    k_host => [
        case("k_host web1 'ssh://deploy@10.0.0.1:22'; echo \"$k_host_name $k_host_target\"")
            .prints("web1 ssh://deploy@10.0.0.1:22\n"),
    ],
    k_report_op => [
        case("k_report_op ok 1 'files.put /a b' m:1; k_report_op failed h2 L 'x y.toml:2'; printf %s \"$k_report_ops\"")
            .given("k_report_ops=''")
            .prints("ok\n1\nfiles.put /a b\nm:1\nfailed\nh2\nL\nx y.toml:2\n"),
    ],
    k_report_note => [
        case("k_report_note 2 'a \"b\"\n\\c'; printf %s \"$k_report_ops\"")
            .given("k_report_ops='ok\n1\nL\nm:1\n'")
            .prints("ok\n1\nL\nm:1\nnote\n2\na \"b\"\n\\c\n"),
    ],
    // Strings escaped as JSON requires, whatever the shell and awk: quotes, backslashes
    // (kiln's own escapes of a label stay as written), a tab and another control character,
    // and UTF-8 copied whole.
    k_report_json => [
        case("k_report_json")
            .given("k_begin --check; k_host 'web \"1\"' local; k_changed=1 k_failed=0 k_ok=1; k_report_ops=$(printf 'would-change\\n1\\nsay \"hi\" \\\\n\\tt\\001 \\303\\274\\nm.toml:1\\nok\\nh1\\nL\\nm:2\\n.'); k_report_ops=${k_report_ops%.}")
            .prints(r#"{
  "hosts": [
    {
      "host": "web \"1\"",
      "target": "local",
      "status": "would-change",
      "ops": [
        {"index": "1", "status": "would-change", "label": "say \"hi\" \\n\u0009t\u0001 ü", "origin": "m.toml:1", "detail": "", "stderr": "", "note": "", "seconds": 0},
        {"index": "h1", "status": "ok", "label": "L", "origin": "m:2", "detail": "", "stderr": "", "note": "", "seconds": 0}
      ],
      "ok": 1,
      "changed": 1,
      "failed": 0,
      "skipped": 0,
      "not_run": 0,
      "round_trips": 0,
      "seconds": 0,
      "error": null,
      "stderr": ""
    }
  ]
}
"#),
        // Notes go to the op recorded before them, whole (quotes, backslashes, line
        // breaks, a line that looks like a record's); two notes on one op are joined by a
        // line break; an op without one has none.
        case("k_report_json | grep -o '\"note\": \"[^,]*,'")
            .given("k_begin; k_report_ops=$(printf 'failed\\n1\\nL\\nm:1\\nnote\\n3\\nsay \"hi\" \\\\\\nnote\\nok\\nnote\\n1\\nagain\\nok\\n2\\nL\\nm:2\\n.'); k_report_ops=${k_report_ops%.}")
            .prints("\"note\": \"say \\\"hi\\\" \\\\\\u000anote\\u000aok\\u000aagain\",\n\"note\": \"\",\n"),
        // No op, and a failure: the host failed (kiln's rule), with no ops.
        case("k_report_json | tr -d ' \\n'")
            .given("k_begin; k_failed=1 k_notrun=2")
            .prints(r#"{"hosts":[{"host":"","target":"","status":"failed","ops":[],"ok":0,"changed":0,"failed":1,"skipped":0,"not_run":2,"round_trips":0,"seconds":0,"error":null,"stderr":""}]}"#),
    ],
    // Private (0600 whatever the umask), whole, and never through a link planted at the
    // path: the link is replaced, what it pointed at is untouched.
    k_report_write => [
        case("k_report_write; stat -c %a out/r.json; [ -L out/r.json ] || echo replaced; cat victim; grep -c '\"status\": \"ok\"' out/r.json; ls -A out")
            .given("k_begin; umask 000; k_report=out/r.json; mkdir out; echo theirs > victim; ln -s ../victim out/r.json")
            .prints("600\nreplaced\ntheirs\n1\nr.json\n"),
        case("k_report_write; grep -c '\"host\": \"h\"' r.json")
            .given("k_begin; k_host h t; k_report=r.json")
            .prints("1\n"),
        case("k_report_write")
            .given("k_begin; k_report=gone/r.json")
            .status(1)
            .says("kiln: cannot make a temporary file in gone\nkiln: cannot write the report gone/r.json\n"),
    ],
}
