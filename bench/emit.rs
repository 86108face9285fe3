//! Benchmark: binding and emitting scripts (`cargo bench --bench emit`).
//!
//! A 10,000-op manifest (the `check` benchmark's mix, lowered ops only) for 1, 10 and 100
//! hosts: check once, then bind + lower + emit per host. Prints the median of several runs;
//! figures are recorded in `bench/README.md`.

use std::fmt::Write;
use std::time::{Duration, Instant};

use kiln::project::Project;

const OPS: usize = 10_000;
const RUNS: usize = 5;

fn manifest() -> String {
    let mut out = String::from("[vars]\nsite = \"example.org\"\nadmin = \"root\"\n\n");
    for i in 0..OPS {
        let _ = match i % 4 {
            0 => write!(
                out,
                "[[op]]\nop = \"files.directory\"\npath = \"/srv/{{{{ site }}}}/{i}\"\nmode = \"0755\"\nowner = \"{{{{ admin }}}}\"\n\n"
            ),
            1 => write!(
                out,
                "[[op]]\nop = \"server.shell\"\ncommands = [\"echo {i} > /tmp/{i}\"]\ncreates = \"/tmp/{i}\"\n\n"
            ),
            2 => write!(
                out,
                "[[op]]\nop = \"files.file\"\npath = \"/etc/kiln/{i}\"\nmode = \"0644\"\n\n"
            ),
            _ => write!(
                out,
                "[[op]]\nop = \"files.put\"\ndest = \"/etc/motd.{i}\"\ncontent = \"hello {{{{ host.name }}}} {i}\\n\"\nmode = \"0644\"\n\n"
            ),
        };
    }
    out
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("main.toml");
    std::fs::write(&path, manifest()).expect("write manifest");
    for hosts in [1usize, 10, 100] {
        let mut inventory = String::new();
        for h in 0..hosts {
            let _ = writeln!(
                inventory,
                "[hosts.web{h}]\naddress = \"10.0.{}.{}\"\n",
                h / 250,
                h % 250 + 1
            );
        }
        let inventory_path = dir.path().join(format!("inventory-{hosts}.toml"));
        std::fs::write(&inventory_path, inventory).expect("write inventory");
        let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
        let mut bytes = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            let mut project = Project::default();
            let inventory = project.load_inventory(&[inventory_path.display().to_string()]);
            let compiled = project.compile(&path, Some(&inventory)).expect("compiles");
            let facts = vec![None; inventory.hosts.len()];
            let scripts = project.scripts(&compiled, &inventory, &facts);
            times.push(started.elapsed());
            assert!(
                !project.diagnostics.has_errors(),
                "benchmark manifest has errors"
            );
            bytes = scripts.iter().map(|(_, s)| s.len()).sum::<usize>();
        }
        times.sort();
        println!(
            "emit {OPS} ops x {hosts} hosts: median {:.0} ms, best {:.0} ms ({} MiB of scripts, {RUNS} runs)",
            times[RUNS / 2].as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3,
            bytes >> 20,
        );
    }
}
