//! Showing a run, and reporting it for CI and for later.
//!
//! While a run goes, [`live`]'s [`Reporter`] consumes the executor's events: progress bars
//! ([`bars`], indicatif) on a terminal, else the line log; then the failures and
//! reproducibility reports ([`messages`]), the os × arch grid ([`grid`]) and a one-line
//! summary. Everything goes through the [`Printer`](crate::printer::Printer), which decides
//! stream, colour, labels and what `-q` and `-v` let through; the words shared by every
//! display are in [`words`]. [`junit`] writes the XML report of `--junit`.
//!
//! `crosscheck test` renders its [`TestReport`](crosscheck_schema::TestReport) in [`tests`]:
//! the terminal summary, `--junit` and GitHub annotations, with the same grid, JUnit
//! writer, escaping and step summary as `build`.
//!
//! Reports for CI and for later: [`rows`] turns a `manifest.json` record, the one a run just
//! made or one read back from a dist directory, into one row per target, which [`markdown`]
//! (the GitHub step summary, `report --format markdown`), [`github`] (annotations) and
//! [`html`] (`crosscheck report --html`) render. What they show of an inspection is read
//! from the inspector's report in one place, [`inspection`].

mod bars;
pub mod github;
pub mod grid;
pub mod html;
mod inspection;
pub mod junit;
mod live;
pub mod markdown;
mod messages;
pub mod rows;
mod sources;
pub(crate) mod tests;
mod words;

pub use live::Reporter;
pub use words::{Verb, human_size, plural};
