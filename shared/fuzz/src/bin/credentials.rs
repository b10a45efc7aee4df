//! AFL++ target `credentials`: see [`guardrail_fuzz::credentials`]. Run with `scripts/fuzz credentials`.

fn main() {
    guardrail_fuzz::warm_up();
    afl::fuzz!(|data: &[u8]| {
        guardrail_fuzz::credentials(data);
    });
}
