//! AFL++ target `templates`: see [`guardrail_fuzz::templates`]. Run with `scripts/fuzz templates`.

fn main() {
    guardrail_fuzz::warm_up();
    afl::fuzz!(|data: &[u8]| {
        guardrail_fuzz::templates(data);
    });
}
