//! Progress bars: one overall bar (done/total, elapsed, ETA) and a spinner per running
//! target with its elapsed time. Finished targets scroll above as plain lines, which the
//! [`Printer`](crate::printer::Printer) prints through [`Bars::multi`].

use std::collections::BTreeMap;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

pub(crate) struct Bars {
    multi: MultiProgress,
    overall: ProgressBar,
    running: BTreeMap<usize, ProgressBar>,
}

const TICK: Duration = Duration::from_millis(120);

impl Bars {
    /// Bars for `total` targets; `force` draws even when stderr is not a terminal.
    pub(crate) fn new(total: usize, force: bool) -> Bars {
        let target = if force {
            ProgressDrawTarget::term_like_with_hz(Box::new(console::Term::buffered_stderr()), 10)
        } else {
            ProgressDrawTarget::stderr_with_hz(10)
        };
        let multi = MultiProgress::with_draw_target(target);
        let overall = multi.add(ProgressBar::new(total as u64));
        overall.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise:>8} [{bar:30}] {pos}/{len} targets · ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        overall.enable_steady_tick(TICK);
        Bars {
            multi,
            overall,
            running: BTreeMap::new(),
        }
    }

    pub(crate) fn start(&mut self, index: usize, id: &str) {
        let spinner = self.multi.add(ProgressBar::new_spinner());
        spinner.set_style(
            ProgressStyle::with_template("  {spinner} {msg} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        spinner.set_message(id.to_owned());
        spinner.enable_steady_tick(TICK);
        self.running.insert(index, spinner);
    }

    /// Changes a running target's label (e.g. while it is built a second time).
    pub(crate) fn relabel(&self, index: usize, label: &str) {
        if let Some(spinner) = self.running.get(&index) {
            spinner.set_message(label.to_owned());
        }
    }

    /// Removes a finished target's spinner and advances the overall bar.
    pub(crate) fn finish(&mut self, index: usize) {
        if let Some(spinner) = self.running.remove(&index) {
            spinner.finish_and_clear();
            self.multi.remove(&spinner);
        }
        self.overall.inc(1);
    }

    /// What lines must be printed through while the bars are drawn ([`Printer::above`]).
    ///
    /// [`Printer::above`]: crate::printer::Printer::above
    pub(crate) fn multi(&self) -> &MultiProgress {
        &self.multi
    }

    pub(crate) fn clear(&self) {
        for spinner in self.running.values() {
            spinner.finish_and_clear();
        }
        self.overall.finish_and_clear();
        let _ = self.multi.clear();
    }
}
