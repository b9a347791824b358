//! Running one command: its own process group, output line by line, a deadline, and
//! graceful then forceful stopping.
//!
//! Every command starts as the leader of a new process group, so the compilers, linkers
//! and C compilers `go build` starts are in it too, and one signal to the group reaches
//! them all. Stopping (timeout, Ctrl-C, fail-fast) sends SIGTERM to the group, waits the
//! grace period, then sends SIGKILL; a second Ctrl-C skips the wait. When the leader has
//! exited, the group gets a SIGKILL anyway, so nothing a build started outlives it.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

#[cfg(unix)]
use crate::unix as platform;
#[cfg(not(unix))]
use crate::windows as platform;

/// How hard the run is being stopped; only ever rises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Cancel {
    /// Not at all.
    No,
    /// SIGTERM, grace period, SIGKILL.
    Graceful,
    /// SIGKILL now.
    Kill,
}

/// Why a command was stopped by crosscheck.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    Timeout,
    Cancelled,
}

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CommandEnd {
    /// Its exit code, if it exited.
    pub code: Option<i32>,
    /// The signal that ended it, if one did.
    pub signal: Option<i32>,
    /// Whether crosscheck stopped it, and why.
    pub stopped: Option<Stop>,
}

impl CommandEnd {
    pub(crate) fn success(&self) -> bool {
        self.code == Some(0) && self.stopped.is_none()
    }

    /// `exit status 2`, `killed by signal 9`.
    pub(crate) fn describe(&self) -> String {
        match (self.code, self.signal) {
            (Some(code), _) => format!("exit status {code}"),
            (None, Some(signal)) => format!("killed by signal {signal}"),
            (None, None) => "ended without a status".to_owned(),
        }
    }
}

/// How long to keep reading output after the group is gone: a process that escaped the
/// group (setsid) may hold the pipe open forever.
const DRAIN_LIMIT: Duration = Duration::from_secs(2);

/// Runs `argv` in `cwd` with exactly `env`, passing each output line to `on_line`.
pub(crate) async fn run_command(
    argv: &[String],
    cwd: &Path,
    env: &BTreeMap<String, String>,
    deadline: Option<Instant>,
    grace: Duration,
    cancel: &mut watch::Receiver<Cancel>,
    on_line: &mut (dyn FnMut(String) + Send),
) -> std::io::Result<CommandEnd> {
    let Some((program, args)) = argv.split_first() else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "empty command",
        ));
    };
    let mut command = tokio::process::Command::new(program);
    command
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .envs(env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    command.process_group(0);
    let mut child = command.spawn()?;
    let group = child.id();

    let (lines_tx, mut lines) = mpsc::unbounded_channel();
    let mut readers = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        readers.push(tokio::spawn(read_lines(stdout, lines_tx.clone())));
    }
    if let Some(stderr) = child.stderr.take() {
        readers.push(tokio::spawn(read_lines(stderr, lines_tx.clone())));
    }
    drop(lines_tx);

    let signal_group = |signal: platform::Signal| {
        if let Some(group) = group {
            platform::signal_group(group, signal);
        }
    };
    let mut stopped = None;
    let mut term_sent: Option<Instant> = None;
    let mut killed = false;
    let mut lines_open = true;
    let mut cancel_open = true;
    let far = Instant::now() + Duration::from_secs(365 * 24 * 3600);
    let status = loop {
        if *cancel.borrow() == Cancel::Kill && !killed {
            stopped.get_or_insert(Stop::Cancelled);
            signal_group(platform::Signal::Kill);
            killed = true;
        } else if *cancel.borrow() == Cancel::Graceful && term_sent.is_none() && stopped.is_none() {
            stopped = Some(Stop::Cancelled);
            signal_group(platform::Signal::Term);
            term_sent = Some(Instant::now());
        }
        let kill_at = term_sent.map_or(far, |at| at + grace);
        tokio::select! {
            line = lines.recv(), if lines_open => match line {
                Some(line) => on_line(line),
                None => lines_open = false,
            },
            status = child.wait() => break status?,
            () = tokio::time::sleep_until(deadline.unwrap_or(far)), if stopped.is_none() && deadline.is_some() => {
                stopped = Some(Stop::Timeout);
                signal_group(platform::Signal::Term);
                term_sent = Some(Instant::now());
            }
            () = tokio::time::sleep_until(kill_at), if term_sent.is_some() && !killed => {
                signal_group(platform::Signal::Kill);
                killed = true;
            }
            changed = cancel.changed(), if cancel_open => {
                if changed.is_err() {
                    cancel_open = false;
                }
            }
        }
    };
    // The leader is gone; whatever it left in its group goes too. (The group id cannot be
    // reused while a member lives, and a new process only gets a pid equal to a group id
    // once that group is empty, so this reaches no stranger.)
    signal_group(platform::Signal::Kill);
    let drain_until = Instant::now() + DRAIN_LIMIT;
    while lines_open {
        tokio::select! {
            line = lines.recv() => match line {
                Some(line) => on_line(line),
                None => lines_open = false,
            },
            () = tokio::time::sleep_until(drain_until) => break,
        }
    }
    for reader in readers {
        reader.abort();
    }
    Ok(CommandEnd {
        code: status.code(),
        signal: platform::exit_signal(&status),
        stopped,
    })
}

async fn read_lines(stream: impl AsyncRead + Unpin, lines: mpsc::UnboundedSender<String>) {
    let mut reader = BufReader::new(stream);
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        match reader.read_until(b'\n', &mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let text = String::from_utf8_lossy(&buffer);
                let line = text.trim_end_matches(['\n', '\r']).to_owned();
                if lines.send(line).is_err() {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;

    fn argv(script: &str) -> Vec<String> {
        ["sh", "-c", script].map(str::to_owned).to_vec()
    }

    async fn run(
        script: &str,
        deadline: Option<Instant>,
        cancel: &mut watch::Receiver<Cancel>,
    ) -> (CommandEnd, Vec<String>) {
        let mut lines = Vec::new();
        let env = BTreeMap::from([("PATH".to_owned(), "/usr/bin:/bin".to_owned())]);
        let end = run_command(
            &argv(script),
            Path::new("."),
            &env,
            deadline,
            Duration::from_millis(200),
            cancel,
            &mut |line| lines.push(line),
        )
        .await
        .unwrap();
        (end, lines)
    }

    #[tokio::test]
    async fn both_streams_are_read_and_the_exit_code_kept() {
        let (_tx, mut cancel) = watch::channel(Cancel::No);
        let (end, mut lines) = run("echo out; echo err >&2; exit 3", None, &mut cancel).await;
        lines.sort();
        assert_eq!(lines, ["err", "out"]);
        assert_eq!(
            end,
            CommandEnd {
                code: Some(3),
                signal: None,
                stopped: None
            }
        );
        assert_eq!(end.describe(), "exit status 3");
        assert!(!end.success());
    }

    #[tokio::test]
    async fn the_deadline_terminates_the_whole_group() {
        let (_tx, mut cancel) = watch::channel(Cancel::No);
        let deadline = Instant::now() + Duration::from_millis(300);
        // The backgrounded sleep holds stdout open: the run ends only once the group is gone.
        let (end, lines) = run("echo started; sleep 30 & wait", Some(deadline), &mut cancel).await;
        assert_eq!(lines, ["started"]);
        assert_eq!(end.stopped, Some(Stop::Timeout));
        assert_eq!(end.signal, Some(15), "{end:?}");
        assert!(Instant::now() < deadline + Duration::from_secs(5));
    }

    #[tokio::test]
    async fn a_process_ignoring_sigterm_is_killed_after_the_grace_period() {
        let (tx, mut cancel) = watch::channel(Cancel::No);
        let started = Instant::now();
        let stop = async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let _ = tx.send(Cancel::Graceful);
        };
        let ((end, _), ()) = tokio::join!(
            run(
                "trap '' TERM; echo ready; while :; do sleep 0.05; done",
                None,
                &mut cancel
            ),
            stop
        );
        assert_eq!(end.stopped, Some(Stop::Cancelled));
        assert_eq!(end.signal, Some(9), "{end:?}");
        // SIGTERM at ~300ms, SIGKILL one grace period (200ms) later.
        assert!(started.elapsed() >= Duration::from_millis(500));
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn a_second_interrupt_kills_at_once() {
        let (tx, mut cancel) = watch::channel(Cancel::Kill);
        drop(tx);
        let started = Instant::now();
        let (end, _) = run("trap '' TERM; sleep 30", None, &mut cancel).await;
        assert_eq!(end.stopped, Some(Stop::Cancelled));
        assert_eq!(end.signal, Some(9), "{end:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn an_empty_command_is_an_error() {
        let (_tx, mut cancel) = watch::channel(Cancel::No);
        let error = run_command(
            &[],
            Path::new("."),
            &BTreeMap::new(),
            None,
            Duration::ZERO,
            &mut cancel,
            &mut |_| {},
        )
        .await
        .unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    }
}
