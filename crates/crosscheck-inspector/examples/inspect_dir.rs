//! Inspects every regular file of a directory in parallel and prints how many were inspected.
//!
//! Usage: `cargo run --release -p crosscheck-inspector --example inspect_dir -- DIR [--json] [--no-hash]`
//!
//! With `--json`, every report is printed as one JSON line (errors as `{"path","error"}`), which
//! is handy for eyeballing what the inspector says about a build directory. `--no-hash` skips
//! the SHA-256 (the one step that reads every byte). `scripts/bench-inspect` times this example.

#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "an example CLI prints"
)]

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

fn main() -> std::process::ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: inspect_dir DIR [--json] [--no-hash]");
        return std::process::ExitCode::from(2);
    };
    let flags: Vec<_> = args.collect();
    let json = flags.iter().any(|a| a == "--json");
    let opts = crosscheck_inspector::InspectOptions {
        hash: !flags.iter().any(|a| a == "--no-hash"),
        ..Default::default()
    };
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.path())
            .collect(),
        Err(err) => {
            eprintln!("error: cannot read {}: {err}", dir.display());
            return std::process::ExitCode::FAILURE;
        }
    };
    files.sort();

    // A shared cursor hands out files, so a few big files cannot starve one thread.
    let next = AtomicUsize::new(0);
    let inspected = AtomicUsize::new(0);
    let go = AtomicUsize::new(0);
    let lines = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    let result = crosscheck_inspector::inspect_path_with(path, &opts);
                    inspected.fetch_add(1, Ordering::Relaxed);
                    if matches!(&result, Ok(r) if r.go.is_some()) {
                        go.fetch_add(1, Ordering::Relaxed);
                    }
                    if json {
                        let line = match &result {
                            Ok(r) => serde_json::to_string(r).unwrap_or_default(),
                            Err(e) => serde_json::json!({
                                "path": path.display().to_string(),
                                "error": e.to_string(),
                            })
                            .to_string(),
                        };
                        if let Ok(mut l) = lines.lock() {
                            l.push((i, line));
                        }
                    }
                }
            });
        }
    });
    if json {
        let mut l = lines.into_inner().unwrap_or_default();
        l.sort();
        for (_, line) in l {
            println!("{line}");
        }
    }
    println!(
        "{} files inspected, {} Go binaries",
        inspected.load(Ordering::Relaxed),
        go.load(Ordering::Relaxed)
    );
    std::process::ExitCode::SUCCESS
}
