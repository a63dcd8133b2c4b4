//! qar-media's one integration-test binary (decision 42).
mod common;
mod faces;
mod hostile_input;
mod limits;
mod metadata;
mod pdf;
mod sniffing;
