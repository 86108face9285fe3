//! Why a host failed as a whole, as a kind the report decides on (its status) and a
//! message people read (its `error`). An op's own failure is not here: its outcome says.

use std::fmt;

use crate::connect::ConnectError;

#[derive(Debug)]
pub(crate) enum HostError {
    /// It could not be connected to.
    Unreachable(ConnectError),
    /// Not started: too many hosts had failed (`--fail-percent`).
    NotStarted,
    /// The connection broke (or the command timeout ran out) during its run.
    Lost(ConnectError),
    /// Its script could not be made: why, as the diagnostics say it.
    NoScript(String),
    /// The host's shell ended while the facts were being gathered.
    FactsCut,
    /// The script exited with a failure no op accounts for; what the host printed on
    /// standard error.
    Exited { code: i32, stderr: String },
}

impl HostError {
    /// The host's status in its report.
    pub(crate) fn status(&self) -> &'static str {
        match self {
            HostError::Unreachable(_) => "unreachable",
            HostError::NotStarted => "skipped",
            HostError::Lost(_)
            | HostError::NoScript(_)
            | HostError::FactsCut
            | HostError::Exited { .. } => "failed",
        }
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostError::Unreachable(error) => write!(f, "{error}"),
            HostError::NotStarted => {
                f.write_str("not started: too many hosts failed (--fail-percent)")
            }
            HostError::Lost(error) => write!(f, "connection lost: {error}"),
            HostError::NoScript(why) => f.write_str(why),
            HostError::FactsCut => f.write_str(
                "the host's shell ended before the facts were gathered: see its standard error",
            ),
            HostError::Exited { code, stderr } => {
                write!(f, "the script exited {code}: {}", stderr.trim())
            }
        }
    }
}

impl std::error::Error for HostError {}

/// Why `kiln facts` has no facts for a host.
#[derive(Debug)]
pub(crate) enum FactsError {
    Connect(ConnectError),
    /// The fact probe ran and failed, with this exit status.
    Probe(i32),
}

impl fmt::Display for FactsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FactsError::Connect(error) => write!(f, "{error}"),
            FactsError::Probe(status) => write!(f, "the fact probe exited {status}"),
        }
    }
}

impl std::error::Error for FactsError {}

impl From<ConnectError> for FactsError {
    fn from(error: ConnectError) -> Self {
        FactsError::Connect(error)
    }
}
