//! Times parsing, expanding and validating a synthetic matrix of 10,000 targets against an
//! in-memory catalog (the "catalog already cached" case), and prints the median and the
//! slowest of the runs. Run with `scripts/bench-plan` or
//! `cargo run --release -p crosscheck-planner --example bench_plan [RUNS]`.
#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark reports on the terminal"
)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crosscheck_planner::{
    Catalog, Config, PlanContext, SelectionRequest, SourceFile, VcsInfo, plan,
};

// The same allocator as the crosscheck binary, so the figure is what `crosscheck plan` sees.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// linux arches whose port supports cgo; × 1,000 glibc pins = 10,000 distinct targets.
const ARCHES: [&str; 10] = [
    "386", "amd64", "arm", "arm64", "loong64", "mips", "mipsle", "ppc64le", "riscv64", "s390x",
];

/// The synthetic matrix: also written to stdout with `--print` for the CLI benchmark.
pub fn synthetic_matrix() -> String {
    let pins: Vec<String> = (0..1000)
        .map(|minor| format!("\"gnu.2.{minor}\""))
        .collect();
    let arches: Vec<String> = ARCHES.iter().map(|a| format!("{a:?}")).collect();
    format!(
        "version = 1\n[build]\nldflags = [\"-s\", \"-w\", \"-X main.version={{version}}\"]\ncc = \"zig cc -target {{arch}}-linux-{{libc}}\"\n[matrix]\nos = [\"linux\"]\narch = [{}]\ncgo = [true]\nlibc = [{}]\n[[override]]\nmatch = \"*/arm64*\"\ntags = [\"arm64\"]\n",
        arches.join(", "),
        pins.join(", ")
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = synthetic_matrix();
    if args.get(1).is_some_and(|a| a == "--print") {
        print!("{text}");
        return;
    }
    let runs: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(30);
    let catalog = Catalog::embedded_snapshot();
    let context = PlanContext {
        base_dir: PathBuf::from("/project"),
        dist_dir: PathBuf::from("/project/dist"),
        vcs: VcsInfo::fixed("1.0.0", "0123456789abcdef", 0),
        module_path: Some("example.com/app".to_owned()),
        sdkroot: None,
        crosscheck_version: "bench".to_owned(),
    };
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut targets = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let config = match Config::parse(SourceFile::new("synthetic.toml", text.as_str())) {
            Ok(config) => config,
            Err(errors) => {
                eprintln!("{errors}");
                std::process::exit(2);
            }
        };
        match plan(&config, &catalog, &context, &SelectionRequest::default()) {
            Ok(plan) => targets = plan.targets.len(),
            Err(error) => {
                eprintln!("{error}");
                std::process::exit(2);
            }
        }
        times.push(start.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    let max = times[times.len() - 1];
    println!(
        "planned {targets} targets: median {:.1} ms, min {:.1} ms, max {:.1} ms over {runs} runs",
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3
    );
}
