//! What a live run shows while it runs, on standard error: on a terminal a live view
//! (indicatif: hosts done and failed, and the op each running host is on), elsewhere (CI,
//! a pipe, a log, `TERM=dumb`) plain lines, one per host as it finishes.
//!
//! The live view draws only while a phase runs and is cleared when it ends, so what is
//! left on the terminal is the same as without it: the plan, the per-host lines, the
//! summary.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::live::{HostReport, Progress};

/// Whether standard error is a terminal worth drawing on: not in CI, not a dumb terminal.
pub(super) fn live_view_possible() -> bool {
    std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none()
        && std::env::var("TERM").map_or(true, |term| term != "dumb")
}

/// A host's result in one line: `changed (3 ok, 2 changed, 0 failed, 0 skipped)`, with
/// `, 4 not run` when a failure left ops not run, or why it failed as a whole.
pub(super) fn one_line(report: &HostReport) -> String {
    match &report.error {
        Some(error) if report.failed() && report.ops.is_empty() => {
            format!("{}: {}", report.status, first_line(error))
        }
        _ => format!(
            "{} ({} ok, {} {}, {} failed, {} skipped{})",
            report.status,
            report.ok,
            report.changed,
            if report.status == "would-change" {
                "to change"
            } else {
                "changed"
            },
            report.failed,
            report.skipped,
            if report.not_run > 0 {
                format!(", {} not run", report.not_run)
            } else {
                String::new()
            }
        ),
    }
}

fn first_line(text: &str) -> &str {
    text.lines().find(|l| !l.trim().is_empty()).unwrap_or(text)
}

/// One phase's progress (connecting, planning or applying) over `hosts` hosts.
pub(super) enum Reporter {
    /// Plain lines; `finished_lines` says whether each finished host gets one.
    Plain {
        finished_lines: bool,
    },
    Live(LiveView),
}

impl Reporter {
    /// The live view when `live`, else plain lines (only when `finished_lines`).
    pub(super) fn new(live: bool, phase: &str, hosts: usize, finished_lines: bool) -> Reporter {
        if live {
            Reporter::Live(LiveView::new(phase, hosts, finished_lines))
        } else {
            Reporter::Plain { finished_lines }
        }
    }

    /// Ends the phase: the live view is cleared.
    pub(super) fn finish(self) {
        if let Reporter::Live(view) = self {
            view.overall.finish_and_clear();
            let _ = view.multi.clear();
        }
    }
}

impl Progress for Reporter {
    fn host_started(&self, host: &str, phase: &str) {
        if let Reporter::Live(view) = self {
            view.host_started(host, phase);
        }
    }

    fn op_started(&self, host: &str, index: &str, total: usize, label: &str) {
        if let Reporter::Live(view) = self
            && let Some(spinner) = view
                .running
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(host)
        {
            let at = if let Some(handler) = index.strip_prefix('h') {
                format!("[handler {handler}]")
            } else {
                format!("[{index}/{total}]")
            };
            spinner.set_message(format!("{at} {label}"));
        }
    }

    fn host_finished(&self, report: &HostReport) {
        match self {
            Reporter::Plain { finished_lines } => {
                if *finished_lines {
                    eprintln!("{}: {}", report.host, one_line(report));
                }
            }
            Reporter::Live(view) => view.host_finished(report),
        }
    }
}

/// The terminal view: a bar of hosts done (and how many failed), and under it a spinner
/// per running host with the op it is on.
pub(super) struct LiveView {
    multi: MultiProgress,
    overall: ProgressBar,
    running: Mutex<HashMap<String, ProgressBar>>,
    failed: AtomicUsize,
    finished_lines: bool,
    /// Width of the host-name column.
    width: usize,
}

impl LiveView {
    fn new(phase: &str, hosts: usize, finished_lines: bool) -> LiveView {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let overall = multi.add(ProgressBar::new(hosts as u64));
        overall.set_style(
            ProgressStyle::with_template(
                "{prefix:>10.bold} [{bar:30}] {pos}/{len} hosts  {msg}  {elapsed}",
            )
            .expect("the template is valid")
            .progress_chars("=> "),
        );
        overall.set_prefix(phase.to_owned());
        overall.set_message("0 failed");
        overall.enable_steady_tick(Duration::from_millis(200));
        LiveView {
            multi,
            overall,
            running: Mutex::new(HashMap::new()),
            failed: AtomicUsize::new(0),
            finished_lines,
            width: 16,
        }
    }

    fn host_started(&self, host: &str, phase: &str) {
        let spinner = self.multi.add(ProgressBar::new_spinner());
        spinner.set_style(
            ProgressStyle::with_template(&format!(
                "  {{spinner}} {{prefix:{}}} {{wide_msg}}",
                self.width
            ))
            .expect("the template is valid"),
        );
        spinner.set_prefix(host.to_owned());
        spinner.set_message(phase.to_owned());
        spinner.enable_steady_tick(Duration::from_millis(100));
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(host.to_owned(), spinner);
    }

    fn host_finished(&self, report: &HostReport) {
        if let Some(spinner) = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&report.host)
        {
            spinner.finish_and_clear();
            self.multi.remove(&spinner);
        }
        if report.failed() {
            let failed = self.failed.fetch_add(1, Ordering::SeqCst) + 1;
            self.overall.set_message(format!("{failed} failed"));
        }
        self.overall.inc(1);
        if self.finished_lines {
            let _ = self
                .multi
                .println(format!("{}: {}", report.host, one_line(report)));
        }
    }
}
