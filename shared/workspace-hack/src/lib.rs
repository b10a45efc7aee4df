//! No code: this crate exists for its `Cargo.toml`, which pins the features of dependencies
//! shared by every binary, so that building one function reuses what `cargo test --workspace`
//! compiled (see the manifest for why).
