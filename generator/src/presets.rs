//! Options for specific APIs: what their spec leaves untyped but the server defines.

use crate::lower::Options;

/// Apache Airflow 3.x (`/api/v2`).
///
/// - `get_log` streams one `StructuredLogMessage` per `application/x-ndjson` line (the spec says
///   only "string").
/// - `wait_dag_run_until_finished` streams `{"state": ...}` lines and a last line with `results`
///   (the spec gives no schema).
/// - Method names used by the runtime and the workflows are reserved.
pub fn airflow() -> Options {
    let mut options = Options {
        reserved_methods: [
            "new",
            "builder",
            "execute",
            "execute_stream",
            "base_url",
            "trigger_and_wait",
            "wait_for_dag_run",
            "backfill",
        ]
        .into_iter()
        .map(String::from)
        .collect(),
        ..Options::default()
    };
    options.ndjson_items.insert(
        "get_log".into(),
        serde_json::json!({"$ref": "#/components/schemas/StructuredLogMessage"}),
    );
    options.ndjson_items.insert(
        "wait_dag_run_until_finished".into(),
        serde_json::json!({
            "type": "object",
            "description": "One progress line of the wait endpoint.",
            "required": ["state"],
            "properties": {
                "state": {"$ref": "#/components/schemas/DagRunState"},
                "results": {
                    "type": "object",
                    "additionalProperties": true,
                    "nullable": true,
                    "description": "XCom results of the requested tasks (last line only)."
                }
            }
        }),
    );
    options
}
