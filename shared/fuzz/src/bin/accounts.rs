//! AFL++ target `accounts`: see [`guardrail_fuzz::accounts`]. Run with `scripts/fuzz accounts`.

fn main() {
    guardrail_fuzz::warm_up();
    afl::fuzz!(|data: &[u8]| {
        guardrail_fuzz::accounts(data);
    });
}
