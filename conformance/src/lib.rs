//! Conformance tests of the generated clients against their pinned specs; everything is in
//! `tests/` (see `tests/conformance.rs`), this library is empty.
//!
//! For every API pinned under `spec/<api>/` (newest spec, profile applied), the tests generate
//! instances of the spec's own JSON Schemas (an oracle independent of the generator's IR),
//! decode them into the crate's types and encode them again (round trips), and validate what
//! the client would send for request bodies against the spec with the `jsonschema` crate.
//! `build.rs` writes the schema → Rust type dispatch from the IR into `OUT_DIR`.
