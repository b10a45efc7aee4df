//! What the CLI's end-to-end tests share: paths into `tests/data` and running the binary.

#![allow(dead_code)] // each test file uses its own part

pub mod browser;

use std::path::PathBuf;
use std::process::Command;

/// A file under the repository's `tests/data`.
pub fn data(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(rel)
        .display()
        .to_string()
}

/// One of the seed articles' policies.
pub fn seed(name: &str) -> String {
    data(&format!("seed-policies/{name}"))
}

/// Run `guardrail ARGS`: exit code, stdout, stderr.
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .args(args)
        .output()
        .expect("guardrail runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
