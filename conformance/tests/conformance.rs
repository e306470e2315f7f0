//! Schema-driven property tests of every pinned API's generated crate.
//!
//! For each API under `spec/<api>/` (its newest spec, profile applied), from the spec's own JSON
//! Schemas (not from the generator's IR, which is what is under test):
//!
//! - **responses**: every JSON body an operation returns (success and error statuses, NDJSON
//!   lines) and every component schema reachable from them. Instances valid for the schema
//!   (checked with the `jsonschema` crate) are decoded into the Rust type the client uses for
//!   them (`decode_body`, inside the envelope member where the profile declares one), encoded,
//!   decoded and encoded again. Asserted: both decoded values are equal and both encodings are
//!   byte-identical (after the first decode nothing may change); and the first encoding keeps
//!   everything of the input the schema names (see `support/compare.rs` for what may differ:
//!   date-time spelling, number spelling, unknown fields, `null` optional response fields).
//! - **request bodies**: instances of every JSON request body (inside the envelope) are decoded
//!   into the body type, serialized exactly as the client sends them (`{"member": value}` with an
//!   envelope), and the bytes are validated against the spec's schema for the body; they must
//!   also keep everything of the instance, explicit `null`s included.
//!
//! Environment: `CONFORMANCE_CASES` random instances per schema (default
//! `support::run::DEFAULT_CASES`, plus a minimal and a maximal one), `CONFORMANCE_SEED` (default
//! 0), `CONFORMANCE_VERBOSE` (print why generated instances were rejected and retried). A failure
//! prints the case and seed that reproduce it. A long run:
//! `CONFORMANCE_CASES=5000 cargo test --release -p conformance`.
//!
//! The `validate` feature (default) checks instances and sent bodies with `jsonschema`, which
//! turns on serde_json's `float_roundtrip` for the whole build; `cargo test -p conformance
//! --no-default-features` runs the round trips with the serde_json features the generated crates
//! ask for themselves (no validation then).

mod support;

use serde_json::Value;
use support::dispatch::{ApiDispatch, Decoder, RoundTrip, roundtrip};
use support::run::{Docs, Harness, Target};

include!(concat!(env!("OUT_DIR"), "/dispatch.rs"));

#[test]
fn airflow() {
    support::run::api("airflow", APIS);
}

#[test]
fn li_backfill_plugin() {
    support::run::api("li-backfill-plugin", APIS);
}

#[test]
fn mage() {
    support::run::api("mage", APIS);
}

/// A newly pinned API needs its own test above.
#[test]
fn every_pinned_api_is_tested() {
    let names: Vec<&str> = APIS.iter().map(|a| a.name).collect();
    assert_eq!(names, ["airflow", "li-backfill-plugin", "mage"]);
}

/// Every generated crate asks serde_json for `float_roundtrip` itself. This build cannot show
/// its absence: the `jsonschema` crate of the `validate` feature turns it on for the whole
/// build (`cargo test -p conformance --no-default-features` round-trips without it).
#[test]
fn generated_crates_parse_floats_exactly() {
    for api in APIS {
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../generated")
            .join(api.crate_name)
            .join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest)
            .unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with("serde_json"))
            .unwrap_or_else(|| panic!("{}: no serde_json dependency", manifest.display()));
        assert!(
            line.contains("float_roundtrip"),
            "{}: serde_json without `float_roundtrip`: floats do not survive decode → encode → decode ({line})",
            manifest.display()
        );
    }
}

/// The harness finds what it is meant to find: each check is given a deliberately broken
/// decoder or encoder for a real schema of the Airflow spec (one test, so the Airflow
/// validators are compiled once).
#[test]
fn harness_finds_known_failure_classes() {
    let api = APIS
        .iter()
        .find(|a| a.name == "airflow")
        .expect("airflow is pinned");
    let docs = Docs::new(api);
    let h = Harness::new(api, &docs);
    let classes = |label: &str, target: Target<'_>| -> Vec<&'static str> {
        let root = h.root(label).unwrap_or_else(|| panic!("no root {label}"));
        let (n, findings) = h.check(root, target, 14);
        assert!(n > 0, "{label}: no instance checked: {findings:?}");
        findings.iter().map(|f| f.class).collect()
    };

    // `additionalProperties: anyOf [string, null]` decoded into a map of non-null strings
    // (the generator's old bug): some instance has a `null` value and does not decode.
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Strict {
        extra_links: std::collections::BTreeMap<String, String>,
        total_entries: i64,
    }
    let strict = Decoder {
        rust: "Strict",
        run: |t| roundtrip::<Strict>(t, |b| serde_json::from_slice(b).map_err(|e| e.to_string())),
    };
    let found = classes(
        "component ExtraLinkCollectionResponse",
        Target::Decode(&strict, None),
    );
    assert!(
        found.contains(&"valid instance does not decode"),
        "map: {found:?}"
    );

    // Floats off by one unit in the last place at each decode (serde_json's default parser on
    // some inputs): the second decode differs from the first.
    fn bump(v: &mut Value) {
        match v {
            Value::Number(n) if n.is_f64() => {
                let f = n.as_f64().unwrap_or_default();
                if let Some(m) = serde_json::Number::from_f64(f64::from_bits(f.to_bits() + 1)) {
                    *n = m;
                }
            }
            Value::Array(a) => a.iter_mut().for_each(bump),
            Value::Object(o) => o.values_mut().for_each(bump),
            _ => {}
        }
    }
    let moving = Decoder {
        rust: "Value with moving floats",
        run: |t| {
            roundtrip::<Value>(t, |b| {
                let mut v: Value = serde_json::from_slice(b).map_err(|e| e.to_string())?;
                bump(&mut v);
                Ok(v)
            })
        },
    };
    let found = classes("component DAGRunResponse", Target::Decode(&moving, None));
    assert!(
        found.contains(&"decode(encode(v)) != v"),
        "floats: {found:?}"
    );

    // A type that silently drops a property (a wrong wire name, say): the round trip is
    // stable, the comparison with the input is not.
    let dropping = Decoder {
        rust: "Value without dag_display_name",
        run: |t| {
            let mut v: Value = serde_json::from_str(t)
                .map_err(|e| support::dispatch::Failure::Decode(e.to_string()))?;
            if let Some(o) = v.as_object_mut() {
                o.remove("dag_display_name");
            }
            Ok(RoundTrip {
                encoded: v.to_string(),
            })
        },
    };
    let found = classes("component DAGRunResponse", Target::Decode(&dropping, None));
    assert!(
        found.contains(&"decode → encode loses or changes data"),
        "dropped property: {found:?}"
    );

    // A request encoder that leaves out explicit `null`s (an `Option` where a PATCH body
    // needs `Option<Option<T>>`): what is sent loses them.
    fn strip(v: &mut Value) {
        if let Value::Object(o) = v {
            o.retain(|_, x| !x.is_null());
            o.values_mut().for_each(strip);
        }
    }
    let found = classes(
        "patch_dag_run request body",
        Target::Encode(
            |member, _| {
                let mut v: Value = serde_json::from_str(member).map_err(|e| e.to_string())?;
                strip(&mut v);
                Ok(v.to_string().into_bytes())
            },
            None,
            true,
        ),
    );
    assert!(
        found.contains(&"request body loses or changes data"),
        "request nulls: {found:?}"
    );
}
