//! Unix process groups and signals.

use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use nix::sys::signal::{Signal as NixSignal, killpg};
use nix::unistd::Pid;

/// The signals crosscheck sends.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Signal {
    /// Please stop.
    Term,
    /// Stop now.
    Kill,
}

/// Sends `signal` to the process group `group`. A group that is already gone is fine.
pub(crate) fn signal_group(group: u32, signal: Signal) {
    let Ok(pid) = i32::try_from(group) else {
        return;
    };
    if pid <= 1 {
        return;
    }
    let signal = match signal {
        Signal::Term => NixSignal::SIGTERM,
        Signal::Kill => NixSignal::SIGKILL,
    };
    let _ = killpg(Pid::from_raw(pid), signal);
}

/// The signal that ended a process, if one did.
pub(crate) fn exit_signal(status: &ExitStatus) -> Option<i32> {
    status.signal()
}
