//! The worker process for mini-program sessions (the `capsule` binary embeds the same entry).

fn main() {
    capsule_runtime::worker::child_main();
}
