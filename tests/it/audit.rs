//! `kiln audit`: the report of everything a host's script will do, in Markdown and HTML:
//! one example's whole report (snapshots), its determinism, and hostile values (markup,
//! secrets, binary content) in both formats.

use std::path::Path;

use crate::support::kiln::{Output, Test};

/// `kiln audit` run on a project copied into a fresh temporary directory, `args` after it.
fn audit(test: Test, args: &[&str]) -> Output {
    let output = test
        .args(["audit", ".", "-o", "out"])
        .args(args.iter().copied())
        .run();
    output.assert_status(0);
    output
}

fn read(output: &Output, file: &str) -> String {
    let path = output.tempdir.path().join("out").join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn webserver() -> Test {
    Test::new().copy_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/webserver"))
}

/// The webserver example's report for `web1`: its ops with their sources, the `when` on
/// facts, the op skipped on this host, the template's content, the packages and the
/// handlers with the ops that notify them; the same bytes on a second run.
#[test]
fn the_webserver_example_reports_in_both_formats() {
    let output = audit(webserver(), &["--limit", "web1"]);
    output.assert_stderr("wrote out/web1.md\nwrote out/web1.html\n");
    let markdown = read(&output, "web1.md");
    let html = read(&output, "web1.html");
    insta::assert_snapshot!("webserver_web1_md", markdown);
    insta::assert_snapshot!("webserver_web1_html", html);
    let again = audit(webserver(), &["--limit", "web1"]);
    assert_eq!(read(&again, "web1.md"), markdown);
    assert_eq!(read(&again, "web1.html"), html);
}

/// Markup in labels, arguments and content stays text in both formats; a secret and the
/// content made from it appear only as `***`; bytes that are not text are summarised by
/// their size and SHA-256.
#[test]
fn hostile_values_stay_text_and_secrets_stay_hidden() {
    let manifest = r#"
[secrets]
token = "s3cr3t-t0ken"

[[op]]
op = "files.put"
name = "<script>alert('x')</script> & \"quoted\" *em* [a](b)"
dest = "/tmp/<b>bold</b>&amp;"
content = "<script>alert(\"x\")</script> & ``` fence\n"

[[op]]
op = "files.put"
dest = "/etc/token"
content = "token={{ token }}\n"

[[op]]
op = "files.put"
dest = "/srv/blob"
src = "blob.bin"
"#;
    let test = Test::new()
        .file("main.toml", manifest)
        .file("blob.bin", [0u8, 0xff, 0x1b, b'\n']);
    let output = audit(test, &[]);
    let markdown = read(&output, "@local.md");
    let html = read(&output, "@local.html");
    for report in [&markdown, &html] {
        assert!(!report.contains("s3cr3t"), "{report}");
        assert!(
            report.contains("secret), 19 bytes"),
            "the secret content's size: {report}"
        );
    }
    // Only the page's own style opens an element named like a value's markup.
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<b>"), "{html}");
    assert!(
        html.contains(
            "[1] &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot; *em* [a](b)"
        ),
        "{html}"
    );
    assert!(html.contains("<code>&quot;/tmp/&lt;b&gt;bold&lt;/b&gt;&amp;amp;&quot;</code>"));
    assert!(html.contains(
        "<pre>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; ``` fence\n</pre>"
    ));
    // In Markdown the label's markup is escaped, values are code spans, and the content's
    // fence is longer than the backticks it holds.
    assert!(
        markdown.contains(
            "### [1] \\<script\\>alert('x')\\</script\\> \\& \"quoted\" \\*em\\* \\[a\\](b)\n"
        ),
        "{markdown}"
    );
    assert!(
        markdown.contains("`\"/tmp/<b>bold</b>&amp;\"`"),
        "{markdown}"
    );
    assert!(
        markdown.contains("````text\n<script>alert(\"x\")</script> & ``` fence\n````\n"),
        "{markdown}"
    );
    // 3128cf43806e035925dd1c441c9396906d0fd86257fb35bb71b8e850d275a7f8  -
    let digest = "fed495af131f96b98575cfc8295139251ff4ac732e731204ab24c732594facc8";
    assert!(
        markdown.contains(&format!("binary, 4 bytes, SHA-256 `{digest}`")),
        "{markdown}"
    );
    assert!(
        html.contains(&format!("binary, 4 bytes, SHA-256 <code>{digest}</code>")),
        "{html}"
    );
}

/// With `--facts`, a `when` over facts is decided for the report as for the script: the
/// op is reported skipped, saying why.
#[test]
fn facts_decide_the_conditions_the_report_shows() {
    let test = webserver().file("facts.json", r#"{"os": {"family": "redhat"}}"#);
    let output = audit(test, &["--limit", "web1", "--facts", "facts.json"]);
    let markdown = read(&output, "web1.md");
    assert!(
        markdown.contains("- 12 ops (2 skipped on this host), 2 handlers."),
        "{markdown}"
    );
    assert!(
        markdown.contains(
            "- skipped on this host: \\`facts.os.family == 'debian'\\` is false\n- when: `facts.os.family == 'debian'`\n"
        ),
        "{markdown}"
    );
}
