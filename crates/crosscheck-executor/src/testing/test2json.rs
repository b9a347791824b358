//! From `go tool test2json`'s events to per-test and per-package results.
//!
//! Go's own converter reads the test binary's `-test.v=test2json` output, whose framing
//! marks each test's start and end even when parallel tests interleave; we only fold its
//! JSON events (`{"Action":"pass","Test":"TestX","Elapsed":0.1}`) into [`TestCase`]s. A
//! line that is not an event (the runner's own complaint, say) is output of the package.

use std::collections::BTreeMap;

use crosscheck_schema::{TestCase, TestStatus};
use serde::Deserialize;

/// How many lines of a package's own output (not a test's) are kept: enough for a panic's
/// first frames or a runner's error.
pub(crate) const PACKAGE_OUTPUT_LINES: usize = 40;

/// How much of one test's output is kept; the end explains a failure, so the start goes.
const TEST_OUTPUT_LIMIT: usize = 64 * 1024;

/// One `go tool test2json` event; fields crosscheck does not use are ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Event {
    action: String,
    #[serde(default)]
    test: Option<String>,
    #[serde(default)]
    elapsed: Option<f64>,
    #[serde(default)]
    output: Option<String>,
}

/// A package's test binary run, folded as its events arrive.
#[derive(Debug)]
pub(crate) struct PackageRun {
    package: String,
    /// Tests started and not ended yet, with their output so far.
    running: BTreeMap<String, String>,
    /// Tests that ended, in the order they did.
    pub(crate) tests: Vec<TestCase>,
    /// The package's own end (`ok` / `FAIL` line), when it came.
    pub(crate) status: Option<TestStatus>,
    /// Seconds the binary reported.
    pub(crate) elapsed: f64,
    /// The last lines of output that belong to no test.
    pub(crate) output: Vec<String>,
}

impl PackageRun {
    pub(crate) fn new(package: &str) -> PackageRun {
        PackageRun {
            package: package.to_owned(),
            running: BTreeMap::new(),
            tests: Vec::new(),
            status: None,
            elapsed: 0.0,
            output: Vec::new(),
        }
    }

    /// Takes one line of test2json's output; returns the text a person would have seen from
    /// `go test -v`, if the line carried any.
    pub(crate) fn line(&mut self, line: &str) -> Option<String> {
        let Ok(event) = serde_json::from_str::<Event>(line) else {
            self.package_output(line);
            return Some(line.to_owned());
        };
        let output = event.output.clone();
        match event.test.clone() {
            Some(test) => self.test_event(test, &event),
            None => self.package_event(&event),
        }
        output.map(|text| text.trim_end_matches('\n').to_owned())
    }

    fn test_event(&mut self, test: String, event: &Event) {
        match event.action.as_str() {
            "output" => {
                let text = event.output.as_deref().unwrap_or_default();
                let buffer = self.running.entry(test).or_default();
                buffer.push_str(text);
                keep_tail(buffer, TEST_OUTPUT_LIMIT);
            }
            "pass" | "fail" | "skip" => {
                let output = self.running.remove(&test).unwrap_or_default();
                self.tests.push(TestCase {
                    package: self.package.clone(),
                    name: test,
                    status: status(&event.action),
                    elapsed: event.elapsed.unwrap_or_default(),
                    output,
                });
            }
            // run, pause, cont, bench: the test goes on.
            _ => {
                self.running.entry(test).or_default();
            }
        }
    }

    fn package_event(&mut self, event: &Event) {
        match event.action.as_str() {
            "output" => {
                let text = event.output.as_deref().unwrap_or_default();
                self.package_output(text.trim_end_matches('\n'));
            }
            "pass" | "fail" | "skip" => {
                self.status = Some(status(&event.action));
                self.elapsed = event.elapsed.unwrap_or_default();
            }
            _ => {}
        }
    }

    fn package_output(&mut self, line: &str) {
        if self.output.len() == PACKAGE_OUTPUT_LINES {
            self.output.remove(0);
        }
        self.output.push(line.to_owned());
    }

    /// Ends the run: tests still running when the binary died (a panic, a timeout, a
    /// crash under the runner) failed, with what they printed. When crosscheck stopped the
    /// binary (Ctrl-C, `--fail-fast`), they neither passed nor failed: they are left out.
    pub(crate) fn finish(mut self, interrupted: bool) -> PackageRun {
        let running = std::mem::take(&mut self.running);
        if interrupted {
            return self;
        }
        for (name, output) in running {
            self.tests.push(TestCase {
                package: self.package.clone(),
                name,
                status: TestStatus::Fail,
                elapsed: 0.0,
                output,
            });
        }
        self
    }
}

fn status(action: &str) -> TestStatus {
    match action {
        "pass" => TestStatus::Pass,
        "skip" => TestStatus::Skip,
        _ => TestStatus::Fail,
    }
}

/// Drops the start of `text` so that it is at most `limit` bytes, at a line boundary when
/// one is near.
fn keep_tail(text: &mut String, limit: usize) {
    if text.len() <= limit {
        return;
    }
    let mut cut = text.len() - limit;
    while !text.is_char_boundary(cut) {
        cut += 1;
    }
    let cut = text[cut..]
        .find('\n')
        .map_or(cut, |newline| cut + newline + 1);
    text.replace_range(..cut, "");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(lines: &[&str]) -> PackageRun {
        let mut run = PackageRun::new("example.com/m");
        for line in lines {
            run.line(line);
        }
        run.finish(false)
    }

    #[test]
    fn events_fold_into_tests_and_the_package_end() {
        let run = run(&[
            r#"{"Action":"start","Package":"example.com/m"}"#,
            r#"{"Action":"run","Package":"example.com/m","Test":"TestA"}"#,
            r#"{"Action":"output","Package":"example.com/m","Test":"TestA","Output":"=== RUN   TestA\n"}"#,
            r#"{"Action":"run","Package":"example.com/m","Test":"TestA/sub"}"#,
            r#"{"Action":"output","Package":"example.com/m","Test":"TestA/sub","Output":"    a_test.go:9: bad\n"}"#,
            r#"{"Action":"fail","Package":"example.com/m","Test":"TestA/sub","Elapsed":0.01}"#,
            r#"{"Action":"fail","Package":"example.com/m","Test":"TestA","Elapsed":0.02}"#,
            r#"{"Action":"skip","Package":"example.com/m","Test":"TestB","Elapsed":0}"#,
            r#"{"Action":"output","Package":"example.com/m","Output":"FAIL\n"}"#,
            r#"{"Action":"fail","Package":"example.com/m","Elapsed":0.5}"#,
        ]);
        let names: Vec<(&str, TestStatus)> = run
            .tests
            .iter()
            .map(|t| (t.name.as_str(), t.status))
            .collect();
        assert_eq!(
            names,
            [
                ("TestA/sub", TestStatus::Fail),
                ("TestA", TestStatus::Fail),
                ("TestB", TestStatus::Skip)
            ]
        );
        assert_eq!(run.tests[0].output, "    a_test.go:9: bad\n");
        assert_eq!(run.tests[0].package, "example.com/m");
        assert_eq!(run.status, Some(TestStatus::Fail));
        assert_eq!(run.elapsed, 0.5);
        assert_eq!(run.output, ["FAIL"]);
    }

    #[test]
    fn a_test_the_binary_died_in_failed_and_foreign_lines_are_package_output() {
        let run = run(&[
            "qemu: uncaught target signal 11 (Segmentation fault) - core dumped",
            r#"{"Action":"run","Package":"example.com/m","Test":"TestCrash"}"#,
            r#"{"Action":"output","Package":"example.com/m","Test":"TestCrash","Output":"panic: boom\n"}"#,
        ]);
        assert_eq!(run.status, None);
        assert_eq!(run.tests.len(), 1);
        assert_eq!(run.tests[0].status, TestStatus::Fail);
        assert_eq!(run.tests[0].output, "panic: boom\n");
        assert!(run.output[0].starts_with("qemu: uncaught"));
    }

    #[test]
    fn a_test_crosscheck_stopped_neither_passed_nor_failed() {
        let mut run = PackageRun::new("example.com/m");
        run.line(r#"{"Action":"run","Package":"example.com/m","Test":"TestSlow"}"#);
        assert!(run.finish(true).tests.is_empty());
    }

    #[test]
    fn long_output_keeps_its_end() {
        let mut text = "line\n".repeat(100);
        keep_tail(&mut text, 52);
        assert!(text.len() <= 52);
        assert!(text.starts_with("line\n"));
        assert!(text.ends_with("line\n"));
    }
}
