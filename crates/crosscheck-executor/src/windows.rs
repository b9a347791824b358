//! Non-unix hosts: no process groups. Commands are still killed when dropped
//! (`kill_on_drop`), but their children are not; crosscheck's supported hosts are Linux and
//! macOS.

use std::process::ExitStatus;

/// The signals crosscheck sends.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Signal {
    /// Please stop.
    Term,
    /// Stop now.
    Kill,
}

/// Without process groups there is nothing to signal.
pub(crate) fn signal_group(_group: u32, _signal: Signal) {}

/// No signals end processes here.
pub(crate) fn exit_signal(_status: &ExitStatus) -> Option<i32> {
    None
}
