//! Spec evolution on a small fixture pair: the diff (text and JSON snapshots, breaking
//! classification) and version-tolerant merging.

use std::path::{Path, PathBuf};

use codegen::ir::{TypeKind, TypeRef};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/evolution")
        .join(name)
}

fn ir(name: &str) -> codegen::ir::Api {
    codegen::build_ir(&fixture(name), None).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn diff_classifies_changes_for_a_client_user() {
    let changes = codegen::diff::diff(&ir("old.yaml"), &ir("new.yaml"));
    let find = |path: &str, kind: &str| {
        changes
            .iter()
            .find(|c| c.path == path && c.kind == kind)
            .unwrap_or_else(|| panic!("no `{kind}` at `{path}` in {changes:#?}"))
    };
    assert!(find("op delete_old", "operation removed").breaking);
    assert!(!find("op get_new", "operation added").breaking);
    assert!(find("op list_runs param query required_new", "parameter added").breaking);
    assert!(!find("op list_runs param query run_id_pattern", "parameter added").breaking);
    assert!(
        find(
            "op list_runs param query legacy_filter",
            "parameter removed"
        )
        .breaking
    );
    // A field that became required in a request body breaks callers.
    assert!(find("type RunBody.partition_key", "field added").breaking);
    assert!(find("type RunBody.old_field", "field removed").breaking);
    // A new required response field does not break old clients (they ignore it) ...
    assert!(!find("type Run.partitioned", "field added").breaking);
    // ... but a response field that may now be null does (airflow-client-python #137).
    assert!(find("type Run.conf", "field nullability changed").breaking);
    assert!(find("type Run.backoff", "field type changed").breaking);
    assert!(!find("type Run.removed_optional", "field removed").breaking);
    assert!(!find("type State value archived", "enum value added").breaking);
    assert!(!find("type Fresh", "schema added").breaking);

    insta::assert_snapshot!(
        "evolution_text",
        codegen::diff::to_text("v1", "v2", &changes)
    );
    let json =
        serde_json::to_string_pretty(&codegen::diff::to_json("v1", "v2", &changes)).expect("json");
    insta::assert_snapshot!("evolution_json", json);
}

#[test]
fn merged_crate_tolerates_the_older_version() {
    let api = codegen::versions::merge("2", ir("new.yaml"), &[("1", &ir("old.yaml"))]);
    assert_eq!(api.versions, ["1", "2"]);
    let run = api.type_named("Run").expect("Run");
    let TypeKind::Struct(s) = &run.kind else {
        panic!("struct")
    };
    let field = |w: &str| s.fields.iter().find(|f| f.wire_name == w).expect(w);
    // Required in v2, absent in v1: decodes as absent.
    assert!(!field("partitioned").required);
    assert_eq!(field("partitioned").present_in, ["2"]);
    // bool in v1, number in v2: a union of both.
    let TypeRef::Named(union) = &field("backoff").ty else {
        panic!("union expected")
    };
    let TypeKind::Union(u) = &api.type_named(union).expect("union type").kind else {
        panic!()
    };
    assert_eq!(
        u.variants.iter().map(|v| v.ty.clone()).collect::<Vec<_>>(),
        [TypeRef::Number(64), TypeRef::Boolean]
    );
    // A value only v1 lists stays a named variant.
    let TypeKind::Enum(values) = &api.type_named("State").expect("State").kind else {
        panic!()
    };
    let shutdown = values
        .iter()
        .find(|v| v.wire == "shutdown")
        .expect("shutdown kept");
    assert_eq!(shutdown.present_in, ["1"]);
    // Availability of operations and parameters.
    let list = api
        .operations
        .iter()
        .find(|o| o.id == "list_runs")
        .expect("list_runs");
    let p = list
        .params
        .iter()
        .find(|p| p.wire_name == "run_id_pattern")
        .expect("param");
    assert_eq!(p.present_in, ["2"]);
    let new_op = api
        .operations
        .iter()
        .find(|o| o.id == "get_new")
        .expect("get_new");
    assert_eq!(new_op.present_in, ["2"]);

    let mut settings = codegen::emit::Settings::new("fixtures");
    settings.crate_name = Some("evolution".into());
    settings.crate_version = "0.0.0".into();
    let g = codegen::generate_versioned(
        ("2", &fixture("new.yaml")),
        &[("1".into(), fixture("old.yaml"))],
        None,
        &settings,
    )
    .expect("generate");
    let models = &g.files[Path::new("src/models.rs")];
    // Operations only the newer version has say so, and classify an older server's answer.
    assert!(g.files.values().any(|f| {
        let flat = f.replace("\n    /// ", " ").replace("\n/// ", " ");
        flat.contains(
            "Since version 2. On servers without it, the error is [`Error::is_unsupported_operation`]",
        )
    }));
    assert!(g.files.values().any(|f| f.contains("since: Some(\"2\")")));
    let flat_models = models.replace("\n    /// ", " ");
    assert!(flat_models.contains("required by version 2 but not sent by version 1: `None` then"));
    insta::assert_snapshot!("evolution_models", models);
}
