//! The `capsule` command line.

fn main() {}
