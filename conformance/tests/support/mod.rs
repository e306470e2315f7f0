//! The machinery of the conformance tests (see `tests/conformance.rs`).

pub mod compare;
pub mod datetime;
pub mod dispatch;
pub mod instances;
pub mod rng;
pub mod roots;
pub mod run;
pub mod schema;
