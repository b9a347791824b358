//! End-to-end tests of the reports for people and CI: `build --junit`, GitHub Actions
//! annotations and job summary (`build` and `check`), and `crosscheck report` (HTML rendered
//! in headless Chromium, Markdown, JSON).
//!
//! One small build provokes all three kinds of outcome: `linux/amd64` builds and passes,
//! `linux/arm64` fails (a fake `go` exits 1 for arm64, printing text that needs escaping),
//! and `windows/amd64` builds but breaks `require_stripped` (only linux gets `-s -w`).

mod build_support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use build_support::*;
use crosscheck_tests::{Run, crosscheck, run};

/// What the failing build prints: `%`, `:` and `,` must be escaped in annotations, `<b>`
/// and `&amp;` in HTML and Markdown.
const FAKE_FAILURE: &str = "fake failure: 100%, <b>bold</b> &amp; more";

/// A copy of examples/01-hello with the matrix described in the module docs.
fn project() -> tempfile::TempDir {
    let project = copy_example("01-hello");
    let script = format!(
        "#!/bin/sh\n\
         if [ \"$1\" = build ] && [ \"$GOARCH\" = arm64 ]; then\n\
           echo '{FAKE_FAILURE}' >&2\n\
           echo 'second line' >&2\n\
           exit 1\n\
         fi\n\
         exec go \"$@\"\n"
    );
    write(project.path(), "fake-go", &script);
    let chmod = Command::new("chmod")
        .arg("+x")
        .arg(project.path().join("fake-go"))
        .status();
    assert!(chmod.is_ok_and(|s| s.success()), "chmod +x fake-go");
    write(
        project.path(),
        "matrix.toml",
        r#"version = 1
[build]
go = "./fake-go"

[matrix]
targets = ["linux/amd64", "linux/arm64", "windows/amd64"]

[policy]
require_stripped = true

[[override]]
match = "linux/*"
ldflags = ["-s", "-w"]
"#,
    );
    project
}

/// `crosscheck build` in `project` into `project/dist`, as GitHub Actions runs it.
fn build_on_github(project: &Path, summary: &Path, extra: &[&str]) -> Run {
    run(crosscheck()
        .args(["build", "--progress", "never", "--dist", "dist"])
        .args(extra)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", summary)
        .current_dir(project))
}

#[test]
fn build_annotates_github_writes_the_summary_and_junit() {
    let project = project();
    let summary = project.path().join("summary.md");
    std::fs::write(&summary, "previous step\n").unwrap_or_else(|e| panic!("{e}"));
    let out = build_on_github(
        project.path(),
        &summary,
        &["--policy", "warn", "--junit", "junit.xml"],
    );
    assert_eq!(out.code, 1, "linux/arm64 fails:\n{}", out.snapshot());

    // Annotations: on stdout, one per problem, escaped per the runner's rules.
    assert_eq!(
        out.stdout,
        "::error title=crosscheck%3A linux/arm64 failed::exit status 1\
         %0Afake failure: 100%25, <b>bold</b> &amp; more%0Asecond line\n\
         ::warning title=crosscheck%3A windows/amd64 violates its target or policy::\
         [not-stripped] binary has a symbol table, but policy.require_stripped is set \
         (hint: -ldflags=\"-s -w\")\n",
        "{}",
        out.snapshot()
    );

    // The job summary: appended, never truncated; one row per target; text escaped.
    let text = std::fs::read_to_string(&summary).unwrap_or_default();
    assert!(
        text.starts_with("previous step\n"),
        "the summary was truncated:\n{text}"
    );
    assert!(text.contains("### crosscheck build hello"), "{text}");
    assert!(
        text.contains("built 2 of 3 targets, 1 failed, 1 violate policy"),
        "{text}"
    );
    assert!(
        text.contains("| target | status | size | linkage | violations | duration |"),
        "{text}"
    );
    assert!(
        text.contains("| `linux/amd64` | ✅ built | "),
        "the passing row:\n{text}"
    );
    assert!(
        text.contains("| `linux/arm64` | ❌ FAILED: exit status 1 |"),
        "{text}"
    );
    assert!(
        text.contains("| `windows/amd64` | ⚠️ VIOLATES POLICY | ")
            && text.contains("| kernel32.dll | \\[not-stripped\\] binary has a symbol table"),
        "{text}"
    );

    // JUnit: a testcase per target, covering build and inspection.
    let xml = std::fs::read_to_string(project.path().join("junit.xml")).unwrap_or_default();
    assert!(
        xml.contains("tests=\"3\"") && xml.contains("failures=\"2\""),
        "{xml}"
    );
    let passing = xml
        .split("<testcase ")
        .find(|case| case.starts_with("name=\"linux/amd64\" classname=\"crosscheck.build\""))
        .unwrap_or_else(|| panic!("no linux/amd64 testcase:\n{xml}"));
    assert!(
        passing.trim_end().ends_with("/>") && !passing.contains("<failure"),
        "linux/amd64 passes:\n{xml}"
    );
    assert!(xml.contains("<failure message=\"exit status 1\""), "{xml}");
    assert!(
        xml.contains("type=\"policy\"") && xml.contains("<system-out>[not-stripped]"),
        "the violation fails its testcase:\n{xml}"
    );

    // Under --policy error a violation is an error annotation; an unwritable summary is a
    // warning that leaves the exit code alone.
    let missing = project.path().join("no-such-dir").join("summary.md");
    let strict = build_on_github(
        project.path(),
        &missing,
        &["-t", "linux/amd64", "-t", "windows/amd64"],
    );
    assert_eq!(strict.code, 3, "{}", strict.snapshot());
    assert!(
        strict.stdout.starts_with(
            "::error title=crosscheck%3A windows/amd64 violates its target or policy::"
        ),
        "{}",
        strict.snapshot()
    );
    assert!(
        strict
            .stderr
            .contains("warning: cannot append the job summary to"),
        "{}",
        strict.snapshot()
    );
    assert!(!missing.exists(), "the summary file must not be created");

    // Outside GitHub Actions: no workflow commands.
    let plain = run(crosscheck()
        .args([
            "build",
            "--progress",
            "never",
            "--dist",
            "dist",
            "-t",
            "linux/amd64",
        ])
        .current_dir(project.path()));
    assert_eq!(plain.code, 0, "{}", plain.snapshot());
    assert!(!plain.stdout.contains("::"), "{}", plain.snapshot());
}

#[test]
fn check_annotates_github_and_writes_the_summary() {
    let project = module(&[
        (
            "main.go",
            "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(platformName()) }\n",
        ),
        (
            "name_linux.go",
            "package main\n\nfunc platformName() string { return \"linux\" }\n",
        ),
        (
            "matrix.toml",
            "version = 1\n[matrix]\ntargets = [\"linux/amd64\", \"darwin/arm64\"]\n",
        ),
    ]);
    let summary = project.path().join("summary.md");
    std::fs::write(&summary, "").unwrap_or_else(|e| panic!("{e}"));
    let out = run(crosscheck()
        .args(["check", "--progress", "never", "--dist", "dist"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .current_dir(project.path()));
    assert_eq!(out.code, 1, "{}", out.snapshot());
    // The compiler's error is placed on its line, titled with the targets it breaks.
    assert_eq!(
        out.stdout,
        "::error file=main.go,line=5,title=crosscheck%3A does not compile for darwin/arm64::undefined: platformName\n",
        "{}",
        out.snapshot()
    );
    let text = std::fs::read_to_string(&summary).unwrap_or_default();
    assert!(text.contains("### crosscheck check"), "{text}");
    assert!(text.contains("| `linux/amd64` | ✅ checked |"), "{text}");
    assert!(text.contains("| `darwin/arm64` | ❌ FAILED"), "{text}");
}

/// Status colours of the page (reporter::html), as the screenshot must show them.
const PASS: [u8; 3] = [0xcd, 0xec, 0xcb];
const FAILED: [u8; 3] = [0xf4, 0xc2, 0xc2];
const VIOLATION: [u8; 3] = [0xf6, 0xe3, 0xa1];

#[test]
fn report_renders_a_self_contained_page_chromium_draws() {
    let chromium = chromium_path();
    let project = project();
    let summary = project.path().join("unused-summary.md");
    let out = build_on_github(project.path(), &summary, &["--policy", "warn"]);
    assert_eq!(out.code, 1, "{}", out.snapshot());
    let dist = project.path().join("dist");
    let page = project.path().join("report.html");

    let report = run(crosscheck()
        .arg("report")
        .arg(&dist)
        .arg("--html")
        .arg(&page));
    assert_eq!(report.code, 0, "{}", report.snapshot());
    assert!(
        report.stdout.is_empty(),
        "--html alone prints nothing on stdout"
    );
    let html = std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{e}"));

    // Self-contained: nothing that could load from anywhere.
    for forbidden in [
        "http://", "https://", "<script", "<link", "@import", "url(", "<img",
    ] {
        assert!(!html.contains(forbidden), "the page has {forbidden:?}");
    }
    // Untrusted build output is text, not markup.
    assert!(
        html.contains("fake failure: 100%, &lt;b&gt;bold&lt;/b&gt; &amp;amp; more"),
        "the log tail is escaped"
    );
    assert!(!html.contains("<b>bold"), "raw markup from a log");
    // The details list what packaging wrote for a built target.
    for packaged in [
        "<dt>archive</dt>",
        "<dt>sbom</dt>",
        ".tar.gz</code>",
        ".cdx.json</code>",
    ] {
        assert!(html.contains(packaged), "the page lacks {packaged:?}");
    }

    // Chromium parses it into the grid: one cell per os/arch, one box per target.
    let dom = run_chromium(&chromium, project.path(), &["--dump-dom"], &page);
    for needle in [
        "<td class=\"cell\" data-cell=\"linux/amd64\">",
        "<td class=\"cell\" data-cell=\"linux/arm64\">",
        "<td class=\"cell\" data-cell=\"windows/amd64\">",
        "data-target=\"linux/amd64\" data-status=\"built\"",
        "data-target=\"linux/arm64\" data-status=\"FAILED\"",
        "data-target=\"windows/amd64\" data-status=\"VIOLATES POLICY\"",
    ] {
        assert!(dom.contains(needle), "no {needle} in the DOM:\n{dom}");
    }
    assert!(
        dom.contains("<th scope=\"row\">windows</th>"),
        "rows are GOOS:\n{dom}"
    );
    // Details carry the facts.
    let sha = manifest_target(&manifest(&dist), "linux/amd64")["sha256"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(sha.len(), 64);
    assert!(dom.contains(&sha), "the sha256 is in the details");

    // And draws it: every status box is on screen in its colour.
    let shot = project.path().join("report.png");
    let screenshot_arg = format!("--screenshot={}", shot.display());
    run_chromium(
        &chromium,
        project.path(),
        &["--window-size=1280,900", &screenshot_arg],
        &page,
    );
    let counts = count_colours(&shot, &[PASS, FAILED, VIOLATION]);
    // A status box is about 250 × 60 pixels; text covers a part of it.
    for (name, count) in ["pass", "failed", "violation"].iter().zip(&counts) {
        assert!(
            *count > 5_000,
            "the {name} colour covers only {count} pixels of {} (counts {counts:?})",
            shot.display()
        );
    }
}

#[test]
fn report_prints_markdown_and_json_and_rejects_bad_manifests() {
    let project = project();
    let summary = project.path().join("unused-summary.md");
    let out = build_on_github(
        project.path(),
        &summary,
        &["-t", "linux/*", "--policy", "warn"],
    );
    assert_eq!(out.code, 1, "{}", out.snapshot());
    let dist = project.path().join("dist");

    let markdown = run(crosscheck().arg("report").arg(&dist));
    assert_eq!(markdown.code, 0, "{}", markdown.snapshot());
    assert!(
        markdown.stdout.contains("| `linux/amd64` | ✅ built |")
            && markdown
                .stdout
                .contains("| `linux/arm64` | ❌ FAILED: exit status 1 |"),
        "{}",
        markdown.snapshot()
    );

    let json = run(crosscheck()
        .arg("report")
        .arg(dist.join("manifest.json"))
        .args(["--format", "json"]));
    assert_eq!(json.code, 0, "{}", json.snapshot());
    let value: serde_json::Value =
        serde_json::from_str(&json.stdout).unwrap_or_else(|e| panic!("{e}:\n{}", json.stdout));
    let targets = value["targets"].as_array().cloned().unwrap_or_default();
    assert_eq!(targets.len(), 2, "{value:#}");
    assert_eq!(targets[0]["id"], "linux/amd64");
    assert_eq!(targets[0]["linkage"], "static");
    assert_eq!(targets[1]["status"], "failed");
    assert!(
        targets[1]["log_tail"]
            .as_array()
            .is_some_and(|lines| lines.iter().any(|l| l == FAKE_FAILURE)),
        "the log tail is read from dist/logs:\n{value:#}"
    );

    let missing = run(crosscheck()
        .arg("report")
        .arg(project.path().join("nowhere")));
    assert_eq!(missing.code, 2, "{}", missing.snapshot());
    assert!(
        missing.stderr.contains("error: cannot read")
            && missing
                .stderr
                .contains("hint: run `crosscheck build` first"),
        "{}",
        missing.snapshot()
    );

    let broken = project.path().join("broken");
    write(
        &broken,
        "manifest.json",
        "{\"schema_version\": 1, \"targets\": ",
    );
    let invalid = run(crosscheck().arg("report").arg(&broken));
    assert_eq!(invalid.code, 2, "{}", invalid.snapshot());
    assert!(
        invalid.stderr.contains("is not valid JSON"),
        "{}",
        invalid.snapshot()
    );
    write(&broken, "manifest.json", "{\"schema_version\": 1}");
    let incomplete = run(crosscheck().arg("report").arg(&broken));
    assert_eq!(incomplete.code, 2, "{}", incomplete.snapshot());
    assert!(
        incomplete
            .stderr
            .contains("is not a valid crosscheck manifest"),
        "{}",
        incomplete.snapshot()
    );
}

/// Chromium, or a failure that says how to install it.
fn chromium_path() -> PathBuf {
    for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(candidate).exists() {
            return PathBuf::from(candidate);
        }
    }
    panic!(
        "this test renders the HTML report in headless Chromium, which is not installed: \
         run `apt-get install chromium` (scripts/test does)"
    );
}

/// Runs headless Chromium on `page` with a fresh profile; returns its stdout. Killed (its
/// whole process group) after a minute.
fn run_chromium(chromium: &Path, dir: &Path, args: &[&str], page: &Path) -> String {
    use std::os::unix::process::CommandExt;
    let profile = tempfile::tempdir_in(dir).unwrap_or_else(|e| panic!("{e}"));
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-extensions",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium.display()));
    let mut stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut stderr = child.stderr.take().unwrap_or_else(|| panic!("no stderr"));
    // Drained on threads so a full pipe cannot stall Chromium while we wait for it.
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap_or_else(|e| panic!("{e}")) {
            break status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            panic!("chromium did not finish within 60s; killed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    assert!(status.success(), "chromium failed: {status}\n{stderr}");
    stdout
}

/// How many pixels of the PNG at `path` are exactly each colour.
fn count_colours(path: &Path, colours: &[[u8; 3]]) -> Vec<usize> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{} is not a PNG: {e}", path.display()));
    let mut pixels = vec![0; reader.output_buffer_size().unwrap_or_default()];
    let frame = reader
        .next_frame(&mut pixels)
        .unwrap_or_else(|e| panic!("{} is not a PNG: {e}", path.display()));
    assert!(
        frame.width >= 1000 && frame.height >= 800,
        "a {}x{} screenshot",
        frame.width,
        frame.height
    );
    let channels = match frame.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected screenshot colour type {other:?}"),
    };
    let mut counts = vec![0; colours.len()];
    for pixel in pixels[..frame.buffer_size()].chunks_exact(channels) {
        for (count, colour) in counts.iter_mut().zip(colours) {
            if pixel[..3] == colour[..] {
                *count += 1;
            }
        }
    }
    counts
}
