//! Lambda entry point: the shared bootstrap around this function's handler.
//!
//! Worker threads get 8 MiB stacks instead of tokio's 2 MiB: decoding a Security Hub
//! GetFindings page (the sweep archives resolved findings) nests deeply enough to overflow
//! 2 MiB in debug builds, and a sweep must not die on a large account.

fn main() -> Result<(), guardrail_aws::runtime::Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(8 * 1024 * 1024)
        .build()?
        .block_on(guardrail_aws::runtime::run(
            account_sweep::AccountSweep::new,
        ))
}
