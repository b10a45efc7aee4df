//! `replay TARGET PATH...`: run a target's harness once on each file (directories are walked,
//! one level of subdirectories deep, as AFL++'s output holds them), in this process, without AFL.
//!
//! Prints the slowest inputs with their times and exits 1 when any input panicked (each panic
//! is reported with its file). `scripts/fuzz --replay` uses it for regressions, for the
//! slowest input of a long run, and to reproduce a crash with a backtrace.
//! `replay --list` prints the targets, one per line, with what each one covers.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn files(path: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for e in entries {
            let name = e.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            // AFL++'s own files (README.txt, .state, .cur_input ...) are not inputs.
            if name.starts_with('.') || name == "README.txt" || name.ends_with(".md") {
                continue;
            }
            if e.is_dir() {
                if depth > 0 {
                    files(&e, depth - 1, out);
                }
            } else {
                out.push(e);
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--list") {
        let mut out = std::io::stdout().lock();
        for t in guardrail_fuzz::TARGETS {
            let _ = writeln!(out, "{:<12} {}", t.name, t.what);
        }
        return ExitCode::SUCCESS;
    }
    let (Some(name), true) = (args.first(), args.len() >= 2) else {
        eprintln!("usage: replay TARGET PATH... | replay --list");
        return ExitCode::from(2);
    };
    let Some(target) = guardrail_fuzz::target(name) else {
        eprintln!("replay: unknown target {name:?} (replay --list)");
        return ExitCode::from(2);
    };
    let mut inputs = Vec::new();
    for a in &args[1..] {
        files(Path::new(a), 2, &mut inputs);
    }
    // Timings without the one-off initialisation the first input would otherwise pay.
    guardrail_fuzz::warm_up();
    let mut times: Vec<(Duration, usize, &Path)> = Vec::with_capacity(inputs.len());
    let mut panics = Vec::new();
    let mut total = Duration::ZERO;
    for path in &inputs {
        let Ok(data) = std::fs::read(path) else {
            eprintln!("replay: cannot read {}", path.display());
            continue;
        };
        let t0 = Instant::now();
        let result = std::panic::catch_unwind(|| (target.run)(&data));
        let took = t0.elapsed();
        total += took;
        if result.is_err() {
            panics.push(path);
        }
        times.push((took, data.len(), path));
    }
    times.sort_by_key(|t| std::cmp::Reverse(t.0));
    // Written, not printed: a closed pipe (`| head`) ends the output quietly, not in a panic.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "replay {}: {} input(s), {:.3} s in all, {} panic(s)",
        target.name,
        times.len(),
        total.as_secs_f64(),
        panics.len()
    );
    for (took, len, path) in times.iter().take(5) {
        let _ = writeln!(
            out,
            "  {:>10.3} ms  {:>8} bytes  {}",
            took.as_secs_f64() * 1e3,
            len,
            path.display()
        );
    }
    for p in &panics {
        let _ = writeln!(out, "  PANIC: {}", p.display());
    }
    if panics.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
