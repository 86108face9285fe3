//! Benchmark: binding and emitting scripts (`cargo bench --bench emit`).
//!
//! A 10,000-op manifest (the `check` benchmark's mix, lowered ops only) for 1, 10, 100 and
//! 1,000 hosts: check once, then bind + lower + emit per host, each script written to its
//! file in a temporary directory. Prints the median of several runs (one at 1,000 hosts);
//! figures are recorded in `bench/README.md`.

use std::fmt::Write as _;
use std::io::Write as _;
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
    for hosts in [1usize, 10, 100, 1000] {
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
        let out = dir.path().join("out");
        let runs = if hosts >= 1000 { 1 } else { RUNS };
        let mut times: Vec<Duration> = Vec::with_capacity(runs);
        let mut bytes = 0;
        for _ in 0..runs {
            std::fs::create_dir_all(&out).expect("out dir");
            let started = Instant::now();
            let mut project = Project::default();
            let inventory = project.load_inventory(&[inventory_path.display().to_string()]);
            let compiled = project.compile(&path, Some(&inventory)).expect("compiles");
            let facts = vec![None; inventory.hosts.len()];
            let written = project.write_scripts(&compiled, &inventory, &facts, |host, write| {
                let file = std::fs::File::create(out.join(format!("{}.sh", host.name)))?;
                let mut file = std::io::BufWriter::with_capacity(1 << 16, file);
                write(&mut file)?;
                file.flush()
            });
            times.push(started.elapsed());
            assert!(
                !project.diagnostics.has_errors() && written.iter().all(|(_, w)| w.is_ok()),
                "benchmark manifest has errors"
            );
            bytes = std::fs::read_dir(&out)
                .expect("out dir")
                .map(|entry| entry.expect("entry").metadata().expect("metadata").len())
                .sum::<u64>();
            std::fs::remove_dir_all(&out).expect("remove out dir");
        }
        times.sort();
        println!(
            "emit {OPS} ops x {hosts} hosts: median {:.0} ms, best {:.0} ms ({} MiB of scripts, {:.0} bytes per op and host, {runs} runs)",
            times[runs / 2].as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3,
            bytes >> 20,
            bytes as f64 / (OPS * hosts) as f64,
        );
    }
}
