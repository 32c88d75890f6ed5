//! Integration tests of the generator: determinism, structure, and a naive
//! measurement of every planted situation against its documented effect.

mod agents;
mod basics;
mod broadband;
mod measure;
mod retail;
