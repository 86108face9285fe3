//! The local connector (this machine, `@local`), and the process-based ones: a chroot
//! (`@chroot/PATH`) and a running container (`@docker/NAME`, `@podman/NAME`).

use std::path::PathBuf;

use super::{ConnectError, Connector, Stream, process};

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
    round_trips: usize,
}

impl ProcessConnector {
    pub fn new(place: Place) -> Self {
        ProcessConnector {
            place,
            round_trips: 0,
        }
    }
}

impl Connector for ProcessConnector {
    fn run(
        &mut self,
        script: &str,
        args: &[&str],
        output: &mut dyn FnMut(Stream, &[u8]),
    ) -> Result<i32, ConnectError> {
        self.round_trips += 1;
        match &self.place {
            Place::Local => process::run("env", &[], script, args, output),
            Place::Chroot(path) => {
                let path = path.to_string_lossy();
                process::run("chroot", &[&path], script, args, output)
            }
            Place::Docker(name) => {
                process::run("docker", &["exec", "-i", name], script, args, output)
            }
            Place::Podman(name) => {
                process::run("podman", &["exec", "-i", name], script, args, output)
            }
        }
    }

    fn round_trips(&self) -> usize {
        self.round_trips
    }
}
