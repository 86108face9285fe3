//! `docs/scale.md`'s recipes, run as their job systems would run them, without GitHub or
//! Kubernetes: the fenced `yaml` blocks are read out of the page and parsed (python3's
//! `yaml`, which cloud-init brings), the shards they make are checked to be 1 to N, each
//! once, and each job's commands run, the shard substituted as the runner would, on a
//! handful of logical hosts of the loopback sshd; the reports they leave merge with `kiln
//! report merge` into every host, once. The commands are the recipe's own shell, so they
//! run under a shell (with `kiln` on `PATH`, and the SSH key and known hosts in `HOME`'s
//! `.ssh`, as a runner's image has them), not through `support::kiln::Test`.

use std::path::{Path, PathBuf};
use std::process::Command;

use kiln::shell::quote;
use serde_json::Value;

use crate::support::kiln::{PATH, bin_dir};
use crate::support::need::{Need, require};
use crate::support::sshd::{Sshd, write_inventory};

/// How many hosts the recipes apply to.
const HOSTS: usize = 6;

/// The fenced `yaml` blocks of `docs/scale.md`, parsed, in the page's order.
fn recipes() -> Vec<Value> {
    let page = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scale.md"))
        .unwrap();
    page.split("```yaml\n")
        .skip(1)
        .map(|rest| {
            let block = rest.split("\n```").next().unwrap();
            let output = Command::new("python3")
                .args([
                    "-c",
                    "import json, sys, yaml; json.dump(yaml.safe_load(sys.argv[1]), sys.stdout)",
                ])
                .arg(block)
                .output()
                .unwrap();
            assert!(output.status.success(), "{output:?}\n{block}");
            serde_json::from_slice(&output.stdout).unwrap()
        })
        .collect()
}

/// A runner's machine: the project (a manifest and the inventory of [`HOSTS`] hosts on
/// `sshd`) in `dir/project`, and a `HOME` whose `.ssh` has the key and known hosts.
struct Runner<'a> {
    dir: &'a Path,
}

impl Runner<'_> {
    fn set_up<'a>(dir: &'a Path, sshd: &Sshd) -> Runner<'a> {
        let project = dir.join("project");
        std::fs::create_dir_all(&project).unwrap();
        write_inventory(sshd, &project, HOSTS, "");
        std::fs::write(
            project.join("main.toml"),
            "[[op]]\nop = \"files.put\"\ndest = \"{{ root }}/motd\"\ncontent = \"hello {{ host.name }}\\n\"\n",
        )
        .unwrap();
        let ssh = dir.join("home/.ssh");
        std::fs::create_dir_all(&ssh).unwrap();
        std::fs::copy(&sshd.client_key, ssh.join("id_ed25519")).unwrap();
        std::fs::copy(&sshd.known_hosts, ssh.join("known_hosts")).unwrap();
        Runner { dir }
    }

    fn project(&self) -> PathBuf {
        self.dir.join("project")
    }

    /// Runs `shell` (a command and its options, the script last) in `cwd` with `env`, as a
    /// runner would; panics, with its output, unless it succeeds.
    fn run(&self, shell: &[&str], script: &str, cwd: &Path, env: &[(&str, String)]) {
        let output = Command::new(shell[0])
            .args(&shell[1..])
            .arg(script)
            .current_dir(cwd)
            .env_clear()
            .env("PATH", format!("{}:{PATH}", bin_dir().display()))
            .env("HOME", self.dir.join("home"))
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap();
        assert!(output.status.success(), "{script}\n{output:?}");
    }
}

/// The hosts of the merged report at `path`, each once, none failed; each host's file is
/// on its disk.
fn merged_hosts(path: &Path, runner: &Runner) -> Vec<String> {
    for n in 0..HOSTS {
        let motd = runner.project().join(format!("host{n}/motd"));
        assert_eq!(
            std::fs::read_to_string(&motd).unwrap(),
            format!("hello web{n}\n")
        );
    }
    let report: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut hosts: Vec<String> = report["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|host| {
            assert_eq!(host["failed"], 0, "{host}");
            host["host"].as_str().unwrap().to_owned()
        })
        .collect();
    hosts.sort();
    hosts
}

fn every_host() -> Vec<String> {
    let mut hosts: Vec<String> = (0..HOSTS).map(|n| format!("web{n}")).collect();
    hosts.sort();
    hosts
}

/// The GitHub Actions matrix: its shards are 1 to N, each once, and each job's `run:`
/// says `/N`; each job runs in a checkout of its own (`bash -eo pipefail`, as a runner's
/// default shell), its artifact is uploaded, and the report job, given them all, merges
/// every host once.
#[test]
fn the_github_actions_matrix_applies_every_host_once() {
    require!(Need::Root, Need::Sshd, Need::CloudInit);
    let sshd = Sshd::start();
    let temp = tempfile::tempdir().unwrap();
    let runner = Runner::set_up(temp.path(), &sshd);
    let workflow = recipes()
        .into_iter()
        .find(|recipe| recipe.get("jobs").is_some())
        .expect("a GitHub Actions workflow in docs/scale.md");
    let apply = &workflow["jobs"]["apply"];
    let shards: Vec<u64> = apply["strategy"]["matrix"]["shard"]
        .as_array()
        .unwrap()
        .iter()
        .map(|shard| shard.as_u64().unwrap())
        .collect();
    let n = shards.len() as u64;
    assert_eq!(
        shards,
        (1..=n).collect::<Vec<_>>(),
        "shards 1 to N, each once"
    );
    let steps = |job: &Value| job["steps"].as_array().unwrap().clone();
    let bash = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"];
    let artifacts = temp.path().join("artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    for shard in &shards {
        let workspace = temp.path().join(format!("runner-{shard}"));
        for step in steps(apply) {
            let substitute = |text: &str| text.replace("${{ matrix.shard }}", &shard.to_string());
            match (step["uses"].as_str(), step["run"].as_str()) {
                (Some(uses), _) if uses.starts_with("actions/checkout@") => {
                    crate::support::tree::copy_tree(&runner.project(), &workspace);
                }
                (Some(uses), _) if uses.starts_with("actions/upload-artifact@") => {
                    let path = substitute(step["with"]["path"].as_str().unwrap());
                    std::fs::copy(workspace.join(&path), artifacts.join(&path)).unwrap();
                }
                (None, Some(run)) => {
                    assert!(
                        run.contains(&format!("--shard ${{{{ matrix.shard }}}}/{n} ")),
                        "{run}"
                    );
                    let run = substitute(run);
                    assert!(!run.contains("${{"), "{run}");
                    runner.run(&bash, &run, &workspace, &[]);
                }
                _ => panic!("a step the test cannot run: {step}"),
            }
        }
    }
    let report = &workflow["jobs"]["report"];
    assert_eq!(report["needs"], "apply");
    let workspace = temp.path().join("runner-report");
    std::fs::create_dir_all(&workspace).unwrap();
    for step in steps(report) {
        match (step["uses"].as_str(), step["run"].as_str()) {
            (Some(uses), _) if uses.starts_with("actions/checkout@") => {
                crate::support::tree::copy_tree(&runner.project(), &workspace);
            }
            (Some(uses), _) if uses.starts_with("actions/download-artifact@") => {
                assert_eq!(step["with"]["merge-multiple"], true, "{step}");
                crate::support::tree::copy_tree(&artifacts, &workspace);
            }
            (None, Some(run)) => runner.run(&bash, run, &workspace, &[]),
            _ => panic!("a step the test cannot run: {step}"),
        }
    }
    assert_eq!(
        merged_hosts(&workspace.join("fleet.json"), &runner),
        every_host()
    );
}

/// The Kubernetes indexed Job: one pod a completion index, 0 to completions - 1; each
/// runs its container's command with `JOB_COMPLETION_INDEX` set, its `/reports` volume
/// and the image's `/project` being directories of the test; the reports it leaves are
/// shards 1 to N, each once, and merge into every host once.
#[test]
fn the_kubernetes_indexed_job_applies_every_host_once() {
    require!(Need::Root, Need::Sshd, Need::CloudInit);
    let sshd = Sshd::start();
    let temp = tempfile::tempdir().unwrap();
    let runner = Runner::set_up(temp.path(), &sshd);
    let job = recipes()
        .into_iter()
        .find(|recipe| recipe["kind"] == "Job")
        .expect("a Kubernetes Job in docs/scale.md");
    assert_eq!(job["spec"]["completionMode"], "Indexed");
    let completions = job["spec"]["completions"].as_u64().unwrap();
    let container = &job["spec"]["template"]["spec"]["containers"][0];
    let mut command: Vec<String> = container["command"]
        .as_array()
        .unwrap()
        .iter()
        .chain(container["args"].as_array().unwrap())
        .map(|word| word.as_str().unwrap().to_owned())
        .collect();
    let script = command.pop().unwrap();
    assert!(
        script.contains(&format!(
            "--shard \"$((JOB_COMPLETION_INDEX + 1))/{completions}\""
        )),
        "{script}"
    );
    let mount = container["volumeMounts"][0]["mountPath"].as_str().unwrap();
    let reports = temp.path().join("reports");
    std::fs::create_dir_all(&reports).unwrap();
    let script = script
        .replace(mount, &reports.display().to_string())
        .replace("/project", &runner.project().display().to_string());
    let shell: Vec<&str> = command.iter().map(String::as_str).collect();
    for index in 0..completions {
        runner.run(
            &shell,
            &script,
            temp.path(),
            &[("JOB_COMPLETION_INDEX", index.to_string())],
        );
    }
    let mut written: Vec<String> = std::fs::read_dir(&reports)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut expected: Vec<String> = (1..=completions)
        .map(|k| format!("shard-{k}.json"))
        .collect();
    expected.sort();
    assert_eq!(written, expected, "shards 1 to N, each once");
    let fleet = temp.path().join("fleet.json");
    runner.run(
        &["sh", "-c"],
        &format!(
            "kiln report merge {}/shard-*.json -i {}/inventory.toml -o {}",
            quote(&reports.display().to_string()),
            quote(&runner.project().display().to_string()),
            quote(&fleet.display().to_string())
        ),
        temp.path(),
        &[],
    );
    assert_eq!(merged_hosts(&fleet, &runner), every_host());
}
