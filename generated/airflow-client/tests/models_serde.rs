//! The generated models' hand-emitted serde impls (`crate::runtime::impl_serde!`) on real types
//! and real server bodies: field order, unknown fields, absent vs `null`, required and duplicate
//! fields, date-times, what `Serialize` writes, and agreement of the two (both ways, through
//! `serde_json::Value` too).

use std::path::Path;

use airflow_client::models::{DagRunPatchBody, DagRunResponse, DagRunState, TaskInstanceResponse};
use airflow_client::{DecodeError, decode_body};
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/3.3.2")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn decode<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T, DecodeError> {
    decode_body(v.to_string().as_bytes())
}

fn run_json() -> Value {
    fixture("get_dag_run.json")
}

#[test]
fn any_field_order_and_unknown_fields_decode_alike() {
    let v = run_json();
    let want: DagRunResponse = decode(&v).expect("fixture decodes");
    assert_eq!(want.state, DagRunState::Success);
    assert!(want.logical_date.is_none() && want.queued_at.is_some());
    // Reversed key order, plus fields a newer server might add (skipped, whatever their shape).
    let mut pairs: Vec<(String, Value)> =
        v.as_object().expect("object").clone().into_iter().collect();
    pairs.reverse();
    pairs.insert(
        3,
        ("added_in_4_0".into(), json!({"nested": [1, {"x": null}]})),
    );
    pairs.push(("another".into(), json!("value")));
    let shuffled = format!(
        "{{{}}}",
        pairs
            .iter()
            .map(|(k, v)| format!("{}:{v}", Value::from(k.as_str())))
            .collect::<Vec<_>>()
            .join(",")
    );
    let got: DagRunResponse = decode_body(shuffled.as_bytes()).expect("shuffled decodes");
    assert_eq!(got, want);
}

#[test]
fn serialize_and_deserialize_agree() {
    for (file, is_run) in [
        ("get_dag_run.json", true),
        ("get_task_instance.json", false),
    ] {
        let v = fixture(file);
        if is_run {
            let run: DagRunResponse = decode(&v).expect("decodes");
            let back = serde_json::to_value(&run).expect("serializes");
            // Through a `serde_json::Value` (owned keys and strings) and through text.
            assert_eq!(
                serde_json::from_value::<DagRunResponse>(back.clone()).ok(),
                Some(run.clone())
            );
            assert_eq!(decode::<DagRunResponse>(&back).ok(), Some(run));
        } else {
            let ti: TaskInstanceResponse = decode(&v).expect("decodes");
            let back = serde_json::to_value(&ti).expect("serializes");
            assert_eq!(
                serde_json::from_value::<TaskInstanceResponse>(back).ok(),
                Some(ti)
            );
        }
    }
}

#[test]
fn serialize_writes_nullable_fields_as_null_and_omits_unset_optional_ones() {
    let mut run: DagRunResponse = decode(&run_json()).expect("decodes");
    run.logical_date = None;
    run.duration = None;
    let back = serde_json::to_value(&run).expect("serializes");
    let obj = back.as_object().expect("object");
    // Required and nullable: always there, `null` when `None`.
    assert_eq!(obj.get("logical_date"), Some(&Value::Null));
    // Optional (a field older servers do not send): omitted when `None`.
    assert!(!obj.contains_key("duration"), "{back}");
    // Every other field the server sent comes back under its wire name, with its value (an
    // optional field sent as `null`, like `partition_date`, is `None` and so omitted).
    let sent = run_json();
    for (key, value) in sent.as_object().expect("object") {
        if key != "logical_date" && key != "duration" {
            assert_eq!(obj.get(key).unwrap_or(&Value::Null), value, "{key}");
        }
    }
    assert!(!obj.contains_key("partition_date"), "{back}");
}

#[test]
fn missing_duplicate_and_wrong_fields_are_errors_with_paths() {
    let mut v = run_json();
    let obj = v.as_object_mut().expect("object");
    obj.remove("dag_id");
    let e = decode::<DagRunResponse>(&v).expect_err("dag_id is required");
    assert_eq!(e.path, ".");
    assert!(
        e.source.to_string().starts_with("missing field `dag_id`"),
        "{e}"
    );

    // Required but nullable (`logical_date`): absent and `null` are both `None`.
    let mut v = run_json();
    v.as_object_mut().expect("object").remove("logical_date");
    assert_eq!(
        decode::<DagRunResponse>(&v).map(|r| r.logical_date).ok(),
        Some(None)
    );

    let text = run_json().to_string();
    let dup = text.replacen("{", r#"{"run_type":"manual","#, 1);
    let e = decode_body::<DagRunResponse>(dup.as_bytes()).expect_err("duplicate field");
    assert!(
        e.source
            .to_string()
            .starts_with("duplicate field `run_type`"),
        "{e}"
    );

    let mut v = run_json();
    v["dag_versions"][0]["version_number"] = json!("one");
    let e = decode::<DagRunResponse>(&v).expect_err("wrong type");
    assert_eq!(e.path, "dag_versions[0].version_number");

    let mut v = run_json();
    v["run_after"] = json!("not a date");
    let e = decode::<DagRunResponse>(&v).expect_err("bad date-time");
    assert_eq!(e.path, "run_after");

    let e = decode_body::<DagRunResponse>(b"[1,2]").expect_err("not an object");
    assert!(
        e.source
            .to_string()
            .contains("expected struct DagRunResponse"),
        "{e}"
    );
}

#[test]
fn date_times_keep_their_instant_whatever_the_offset() {
    let mut v = run_json();
    v["run_after"] = json!("2026-11-23T03:24:50.293278+02:00");
    v["start_date"] = json!("2026-11-23T01:24:51Z");
    let run: DagRunResponse = decode(&v).expect("decodes");
    assert_eq!(
        run.run_after.to_rfc3339(),
        "2026-11-23T01:24:50.293278+00:00"
    );
    assert_eq!(
        run.start_date.map(|d| d.to_rfc3339()),
        Some("2026-11-23T01:24:51+00:00".into())
    );
}

#[test]
fn request_bodies_keep_absent_apart_from_null_both_ways() {
    let absent = DagRunPatchBody::default();
    let cleared = DagRunPatchBody {
        note: Some(None),
        ..DagRunPatchBody::default()
    };
    let set = DagRunPatchBody::default().with_note("hello".to_owned());
    assert_eq!(serde_json::to_value(&absent).ok(), Some(json!({})));
    assert_eq!(
        serde_json::to_value(&cleared).ok(),
        Some(json!({"note": null}))
    );
    assert_eq!(
        serde_json::to_value(&set).ok(),
        Some(json!({"note": "hello"}))
    );
    for body in [absent, cleared, set] {
        let text = serde_json::to_string(&body).expect("serializes");
        assert_eq!(
            decode_body::<DagRunPatchBody>(text.as_bytes()).ok(),
            Some(body)
        );
    }
}
