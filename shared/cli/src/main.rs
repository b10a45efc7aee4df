//! The `guardrail` command line (being written).
fn main() {}
