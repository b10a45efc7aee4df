//! AFL++ target `policies`: see [`guardrail_fuzz::policies`]. Run with `scripts/fuzz policies`.

fn main() {
    guardrail_fuzz::warm_up();
    afl::fuzz!(|data: &[u8]| {
        guardrail_fuzz::policies(data);
    });
}
