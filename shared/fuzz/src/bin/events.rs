//! AFL++ target `events`: see [`guardrail_fuzz::events`]. Run with `scripts/fuzz events`.

fn main() {
    guardrail_fuzz::warm_up();
    afl::fuzz!(|data: &[u8]| {
        guardrail_fuzz::events(data);
    });
}
