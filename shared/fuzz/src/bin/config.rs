//! AFL++ target `config`: see [`guardrail_fuzz::config`]. Run with `scripts/fuzz config`.

fn main() {
    guardrail_fuzz::warm_up();
    afl::fuzz!(|data: &[u8]| {
        guardrail_fuzz::config(data);
    });
}
