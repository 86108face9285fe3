//! The local connector (this machine, `@local`), and the process-based ones: a chroot
//! (`@chroot/PATH`) and a running container (`@docker/NAME`, `@podman/NAME`).

use std::path::PathBuf;
use std::time::Duration;

use super::{ConnectError, Connector, Conversation, process};

/// Where a process-based connector runs `sh`.
#[derive(Clone, Debug)]
pub enum Place {
    Local,
    Chroot(PathBuf),
    Docker(String),
    Podman(String),
}

pub struct ProcessConnector {
    place: Place,
    /// Who runs the script in a chroot or container (none: root, or the image's user).
    user: Option<String>,
    /// Longest one script may run (none: no limit).
    timeout: Option<Duration>,
    round_trips: usize,
}

impl ProcessConnector {
    pub fn new(place: Place, user: Option<String>, timeout: Option<Duration>) -> Self {
        ProcessConnector {
            place,
            user,
            timeout,
            round_trips: 0,
        }
    }

    /// The program and its arguments that start `sh` in the place.
    fn command(&self) -> (&'static str, Vec<String>) {
        let mut args = Vec::new();
        let program = match &self.place {
            Place::Local => "env",
            Place::Chroot(path) => {
                if let Some(user) = &self.user {
                    args.push(format!("--userspec={user}"));
                }
                args.push(path.to_string_lossy().into_owned());
                "chroot"
            }
            Place::Docker(name) | Place::Podman(name) => {
                args.push("exec".into());
                args.push("-i".into());
                if let Some(user) = &self.user {
                    args.push("-u".into());
                    args.push(user.clone());
                }
                args.push(name.clone());
                if matches!(self.place, Place::Docker(_)) {
                    "docker"
                } else {
                    "podman"
                }
            }
        };
        (program, args)
    }
}

impl Connector for ProcessConnector {
    fn converse(
        &mut self,
        args: &[&str],
        conversation: &mut dyn Conversation,
    ) -> Result<i32, ConnectError> {
        self.round_trips += 1;
        let (program, program_args) = self.command();
        process::run(program, &program_args, args, self.timeout, conversation)
    }

    fn round_trips(&self) -> usize {
        self.round_trips
    }
}
