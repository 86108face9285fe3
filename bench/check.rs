//! Benchmark: checking a large manifest (`cargo bench --bench check`).
//!
//! Generates a 10,000-op manifest in each spelling, mixing ops, templates, `when`
//! conditions, handlers and an include, then times `check::compile` over it. Prints the
//! median and the best of several runs; the figures are recorded in `bench/README.md`.

use std::fmt::Write;
use std::time::{Duration, Instant};

use kiln::check::{Context, compile};
use kiln::diagnostic::Diagnostics;
use kiln::source::SourceMap;

const OPS: usize = 10_000;
const RUNS: usize = 15;

fn toml_manifest() -> String {
    let mut out = String::from("[vars]\nsite = \"example.org\"\nadmin = \"ops\"\n\n");
    for i in 0..OPS {
        let _ = match i % 5 {
            0 => write!(
                out,
                "[[op]]\nop = \"files.line\"\npath = \"/etc/app/{i}.conf\"\nline = \"server_name {{{{ site }}}}; # {i}\"\nregexp = \"^server_name \"\nnotify = [\"reload\"]\n\n"
            ),
            1 => write!(
                out,
                "[[op]]\nop = \"files.directory\"\npath = \"/srv/{i}\"\nmode = \"0755\"\nowner = \"{{{{ admin }}}}\"\nwhen = \"facts.os.family == 'debian'\"\n\n"
            ),
            2 => write!(
                out,
                "[[op]]\nop = \"apt.packages\"\npackages = [\"pkg{i}\", \"lib{i}\"]\nsudo = true\ntags = [\"packages\"]\n\n"
            ),
            3 => write!(
                out,
                "[[op]]\nop = \"server.shell\"\ncommands = [\"echo {i} > /tmp/{i}\"]\ncreates = \"/tmp/{i}\"\n\n"
            ),
            _ => write!(
                out,
                "[[op]]\nop = \"files.put\"\ndest = \"/etc/motd.{i}\"\ncontent = \"hello {i}\\n\"\nmode = \"0644\"\n\n"
            ),
        };
    }
    out.push_str("[[handler]]\nid = \"reload\"\nop = \"systemd.service\"\nservice = \"nginx\"\nreloaded = true\n");
    out
}

fn kdl_manifest() -> String {
    let mut out = String::from("vars { site \"example.org\"; admin \"ops\"; }\n");
    for i in 0..OPS {
        let _ = match i % 5 {
            0 => writeln!(
                out,
                "files.line \"/etc/app/{i}.conf\" line=\"server_name {{{{ site }}}}; # {i}\" regexp=\"^server_name \" notify=\"reload\""
            ),
            1 => writeln!(
                out,
                "files.directory \"/srv/{i}\" mode=\"0755\" owner=\"{{{{ admin }}}}\" when=\"facts.os.family == 'debian'\""
            ),
            2 => writeln!(
                out,
                "apt.packages \"pkg{i}\" \"lib{i}\" sudo=#true tags=\"packages\""
            ),
            3 => writeln!(
                out,
                "server.shell \"echo {i} > /tmp/{i}\" creates=\"/tmp/{i}\""
            ),
            _ => writeln!(
                out,
                "files.put \"/etc/motd.{i}\" content=\"hello {i}\\n\" mode=\"0644\""
            ),
        };
    }
    out.push_str("handler \"reload\" { systemd.service \"nginx\" reloaded=#true; }\n");
    out
}

fn time(name: &str, text: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write manifest");
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let mut sources = SourceMap::new();
        let mut diagnostics = Diagnostics::default();
        let started = Instant::now();
        let compiled = compile(&mut sources, &path, &Context::default(), &mut diagnostics);
        times.push(started.elapsed());
        let compiled = compiled.expect("manifest compiles");
        assert_eq!(compiled.ops.len(), OPS);
        assert!(!diagnostics.has_errors(), "benchmark manifest has errors");
    }
    times.sort();
    println!(
        "check {name}: {OPS} ops, {} KiB: median {:.1} ms, best {:.1} ms ({RUNS} runs)",
        text.len() / 1024,
        times[RUNS / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
    );
}

fn main() {
    time("main.toml", &toml_manifest());
    time("main.kdl", &kdl_manifest());
}
