//! The worker process for the server's own tests (the `capsule` binary runs workers itself).

fn main() {
    capsule_runtime::worker::child_main();
}
