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
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::Child;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
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

#[cfg(test)]
impl CommandEnd {
    /// How a command that no signal ended ended: the tests' shorthand.
    pub(crate) fn exited(code: Option<i32>, stopped: Option<Stop>) -> CommandEnd {
        CommandEnd {
            code,
            signal: None,
            stopped,
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
    let mut child = spawn(argv, cwd, env)?;
    let mut output = Output::capture(&mut child);
    let mut stopping = Stopping::new(child.id(), deadline, grace);
    let status = supervise(&mut child, &mut output, &mut stopping, cancel, on_line).await?;
    // The leader is gone; whatever it left in its group goes too. (The group id cannot be
    // reused while a member lives, and a new process only gets a pid equal to a group id
    // once that group is empty, so this reaches no stranger.)
    stopping.signal(platform::Signal::Kill);
    output.drain(on_line).await;
    Ok(CommandEnd {
        code: status.code(),
        signal: platform::exit_signal(&status),
        stopped: stopping.reason,
    })
}

/// Runs a setup command (a tool install, a helper build) under the same supervision as any
/// other, with a time limit, and returns how it ended with every line it printed.
pub(crate) async fn run_collecting(
    argv: &[String],
    cwd: &Path,
    env: &BTreeMap<String, String>,
    limit: Duration,
    grace: Duration,
    cancel: &mut watch::Receiver<Cancel>,
) -> std::io::Result<(CommandEnd, Vec<String>)> {
    let mut lines = Vec::new();
    let deadline = Some(Instant::now() + limit);
    let end = run_command(argv, cwd, env, deadline, grace, cancel, &mut |line| {
        lines.push(line)
    })
    .await?;
    Ok((end, lines))
}

/// Starts `argv` as the leader of a new process group, with nothing on stdin and nothing
/// in its environment but `env`.
fn spawn(argv: &[String], cwd: &Path, env: &BTreeMap<String, String>) -> std::io::Result<Child> {
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
    command.spawn()
}

/// Waits for the leader to exit, passing its lines on meanwhile, and stops its group when
/// the deadline passes or the run is cancelled.
async fn supervise(
    child: &mut Child,
    output: &mut Output,
    stopping: &mut Stopping,
    cancel: &mut watch::Receiver<Cancel>,
    on_line: &mut (dyn FnMut(String) + Send),
) -> std::io::Result<ExitStatus> {
    let mut cancel_open = true;
    // `select!` builds every branch's future, enabled or not; a disabled timer waits for this.
    let far = Instant::now() + Duration::from_secs(365 * 24 * 3600);
    loop {
        let level = *cancel.borrow();
        stopping.follow(level);
        let (timeout_at, kill_at) = (stopping.timeout_at(), stopping.kill_at());
        tokio::select! {
            line = output.lines.recv(), if output.open => output.forward(line, on_line),
            status = child.wait() => return status,
            () = tokio::time::sleep_until(timeout_at.unwrap_or(far)), if timeout_at.is_some() => {
                stopping.terminate(Stop::Timeout);
            }
            () = tokio::time::sleep_until(kill_at.unwrap_or(far)), if kill_at.is_some() => {
                stopping.kill();
            }
            changed = cancel.changed(), if cancel_open => {
                if changed.is_err() {
                    cancel_open = false;
                }
            }
        }
    }
}

/// Where a command's process group stands on the way from running to stopped: SIGTERM
/// once, SIGKILL once, each at most once.
struct Stopping {
    /// The process group: the leader's pid, while tokio knows it.
    group: Option<u32>,
    deadline: Option<Instant>,
    grace: Duration,
    /// Why crosscheck stops the command, once it does.
    reason: Option<Stop>,
    /// When SIGTERM went out: SIGKILL follows one grace period later.
    term_sent: Option<Instant>,
    killed: bool,
}

impl Stopping {
    fn new(group: Option<u32>, deadline: Option<Instant>, grace: Duration) -> Stopping {
        Stopping {
            group,
            deadline,
            grace,
            reason: None,
            term_sent: None,
            killed: false,
        }
    }

    fn signal(&self, signal: platform::Signal) {
        if let Some(group) = self.group {
            platform::signal_group(group, signal);
        }
    }

    /// Acts on the run's cancel level: `Kill` kills at once, even a group already being
    /// stopped for its timeout; `Graceful` starts a graceful stop unless one is under way.
    fn follow(&mut self, level: Cancel) {
        if level == Cancel::Kill && !self.killed {
            self.reason.get_or_insert(Stop::Cancelled);
            self.kill();
        } else if level == Cancel::Graceful && self.term_sent.is_none() && self.reason.is_none() {
            self.terminate(Stop::Cancelled);
        }
    }

    /// SIGTERM, and the grace period starts.
    fn terminate(&mut self, reason: Stop) {
        self.reason = Some(reason);
        self.signal(platform::Signal::Term);
        self.term_sent = Some(Instant::now());
    }

    fn kill(&mut self) {
        self.signal(platform::Signal::Kill);
        self.killed = true;
    }

    /// When the command times out, unless it is already being stopped.
    fn timeout_at(&self) -> Option<Instant> {
        self.deadline.filter(|_| self.reason.is_none())
    }

    /// When the grace period after SIGTERM runs out, unless SIGKILL already went out.
    fn kill_at(&self) -> Option<Instant> {
        self.term_sent
            .filter(|_| !self.killed)
            .map(|at| at + self.grace)
    }
}

/// The command's stdout and stderr, line by line, as two reader tasks send them.
struct Output {
    lines: mpsc::UnboundedReceiver<String>,
    /// False once both pipes are closed.
    open: bool,
    readers: Vec<JoinHandle<()>>,
}

impl Output {
    fn capture(child: &mut Child) -> Output {
        let (lines_tx, lines) = mpsc::unbounded_channel();
        let mut readers = Vec::new();
        if let Some(stdout) = child.stdout.take() {
            readers.push(tokio::spawn(read_lines(stdout, lines_tx.clone())));
        }
        if let Some(stderr) = child.stderr.take() {
            readers.push(tokio::spawn(read_lines(stderr, lines_tx.clone())));
        }
        Output {
            lines,
            open: true,
            readers,
        }
    }

    /// Passes on a line received; `None` means both pipes are closed.
    fn forward(&mut self, line: Option<String>, on_line: &mut (dyn FnMut(String) + Send)) {
        match line {
            Some(line) => on_line(line),
            None => self.open = false,
        }
    }

    /// Passes on what is still buffered or written, for at most [`DRAIN_LIMIT`], then
    /// stops reading.
    async fn drain(mut self, on_line: &mut (dyn FnMut(String) + Send)) {
        let drain_until = Instant::now() + DRAIN_LIMIT;
        while self.open {
            tokio::select! {
                line = self.lines.recv() => self.forward(line, on_line),
                () = tokio::time::sleep_until(drain_until) => break,
            }
        }
        for reader in self.readers {
            reader.abort();
        }
    }
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

    #[test]
    fn a_timed_out_command_stays_timed_out_when_the_run_is_cancelled() {
        let deadline = Instant::now();
        let mut stopping = Stopping::new(None, Some(deadline), Duration::from_secs(1));
        assert_eq!(stopping.timeout_at(), Some(deadline));
        stopping.terminate(Stop::Timeout);
        let term_sent = stopping.term_sent;
        assert_eq!(stopping.timeout_at(), None);
        stopping.follow(Cancel::Graceful);
        assert_eq!(
            (stopping.reason, stopping.term_sent),
            (Some(Stop::Timeout), term_sent),
            "a second SIGTERM restarted the grace period"
        );
        assert!(stopping.kill_at().is_some());
        stopping.follow(Cancel::Kill);
        assert_eq!(stopping.reason, Some(Stop::Timeout));
        assert!(stopping.killed);
        assert_eq!(stopping.kill_at(), None);
    }

    #[test]
    fn a_kill_needs_no_sigterm_first() {
        let mut stopping = Stopping::new(None, None, Duration::from_secs(1));
        stopping.follow(Cancel::No);
        assert_eq!((stopping.reason, stopping.killed), (None, false));
        stopping.follow(Cancel::Kill);
        assert_eq!(
            (stopping.reason, stopping.killed),
            (Some(Stop::Cancelled), true)
        );
        assert_eq!((stopping.term_sent, stopping.kill_at()), (None, None));
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
