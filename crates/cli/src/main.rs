//! The touchpoint binary.
fn main() {}
