//! One focused test per fidelity rule, each on a small fixture spec, with a snapshot of the
//! emitted Rust (models, error bodies, operations).

use std::path::{Path, PathBuf};

use codegen::ir::{Api, ParamLocation, TypeKind, TypeRef};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn settings() -> codegen::emit::Settings {
    let mut s = codegen::emit::Settings::new("a fixture");
    s.crate_name = Some("fixture-client".into());
    s.crate_version = "0.0.0".into();
    s
}

fn generate(name: &str) -> codegen::Generated {
    codegen::generate(&fixture(name), None, &settings()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Generates fixture `name` with the profile `<stem>.profile.yaml` beside it.
fn generate_with_profile(name: &str) -> codegen::Generated {
    let stem = name.trim_end_matches(".yaml");
    let profile = codegen::overlay::Overlay::load(&fixture(&format!("{stem}.profile.yaml")))
        .unwrap_or_else(|e| panic!("{e}"));
    codegen::generate(&fixture(name), Some(&profile), &settings())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The generated Rust that depends on the spec (not the copied runtime), one string.
fn code(g: &codegen::Generated) -> String {
    let mut out = String::new();
    for (path, text) in &g.files {
        let p = path.to_string_lossy();
        if p.starts_with("src/runtime") || !p.ends_with(".rs") || p == "src/lib.rs" {
            continue;
        }
        out.push_str(&format!("=== {p}\n{text}\n"));
    }
    if !g.api.warnings.is_empty() {
        out.push_str("=== warnings\n");
        for w in &g.api.warnings {
            out.push_str(&format!("{w}\n"));
        }
    }
    out
}

fn field<'a>(api: &'a Api, ty: &str, wire: &str) -> &'a codegen::ir::Field {
    let t = api.type_named(ty).unwrap_or_else(|| panic!("no type {ty}"));
    let TypeKind::Struct(s) = &t.kind else {
        panic!("{ty} is not a struct")
    };
    s.fields
        .iter()
        .find(|f| f.wire_name == wire)
        .unwrap_or_else(|| panic!("{ty} has no field {wire}"))
}

#[test]
fn openapi_31_is_normalized_and_nothing_is_silently_dropped() {
    let g = generate("openapi31.yaml");
    let api = &g.api;
    // type: [X, 'null'] and anyOf [X, null] → nullable X.
    let note = field(api, "Item", "note");
    assert!(note.nullable && note.ty == TypeRef::String);
    let label = field(api, "Item", "label");
    assert!(label.nullable && label.required && label.ty == TypeRef::String);
    let parent = field(api, "Item", "parent");
    assert!(parent.nullable && parent.ty == TypeRef::Named("Item".into()));
    assert!(parent.boxed, "a self-reference must be boxed");
    // Numeric exclusive bounds parse (openapiv3 alone rejects them).
    assert_eq!(field(api, "Item", "size").ty, TypeRef::Number(64));
    // const and prefixItems are carried into the IR.
    assert_eq!(
        field(api, "Item", "kind").const_value,
        Some(serde_json::json!("item"))
    );
    assert_eq!(
        field(api, "Item", "pair").ty,
        TypeRef::Tuple(vec![TypeRef::String, TypeRef::Integer(64)])
    );
    assert_eq!(
        field(api, "Item", "picture").content_media_type.as_deref(),
        Some("image/png")
    );
    // The unsupported keyword is reported with its JSON pointer.
    assert_eq!(api.warnings.len(), 1, "{:?}", api.warnings);
    assert_eq!(
        api.warnings[0].pointer,
        "#/components/schemas/Item/properties/extras/patternProperties"
    );
    // Nullable query parameter.
    let op = &api.operations[0];
    assert!(op.params[0].nullable && op.params[0].ty == TypeRef::Integer(64));
    insta::assert_snapshot!("openapi31", code(&g));
}

#[test]
fn every_operation_once_with_docs_and_deprecation() {
    let g = generate("operations.yaml");
    let api = &g.api;
    let names: Vec<(&str, &str)> = api
        .operations
        .iter()
        .map(|o| (o.module.as_str(), o.fn_name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("default", "health"),
            ("pets", "delete_legacy_pets"),
            ("pets", "list_toys"),
            ("toys", "post_pets_by_pet_id_toys"),
        ]
    );
    assert!(api.operations[1].deprecated);
    let text = code(&g);
    assert_eq!(
        text.matches("pub fn list_toys(").count(),
        1,
        "generated once"
    );
    assert!(text.contains("#[deprecated]\n    pub fn delete_legacy_pets"));
    assert!(text.contains("/// Every toy of a pet, listed under two tags but generated once."));
    insta::assert_snapshot!("operations", text);
}

#[test]
fn schema_names_fields_keywords_and_collisions() {
    let g = generate("naming.yaml");
    let api = &g.api;
    for name in [
        "DagRunResponse",
        "BulkBodyPoolBody",
        "Result",
        "Option",
        "Error",
        "Client",
        "String",
        "Box",
        "Vec",
        "FooBar",
        "FooBar2",
        "Visitor",
        "A",
        "S",
        "D",
    ] {
        assert!(api.type_named(name).is_some(), "missing type {name}");
    }
    let rust: Vec<&str> = match &api.type_named("DagRunResponse").map(|t| &t.kind) {
        Some(TypeKind::Struct(s)) => s.fields.iter().map(|f| f.rust_name.as_str()).collect(),
        _ => panic!("not a struct"),
    };
    assert_eq!(
        rust,
        [
            "r#type",
            "self_",
            "_1st",
            "foo_bar",
            "foo_bar_2",
            "result",
            "option",
            "error",
            "client",
            "string",
            "r#box",
            "vec",
            "bulk",
            "visitor",
            "a",
            "s",
            "d"
        ]
    );
    insta::assert_snapshot!("naming", code(&g));
}

#[test]
fn optional_vs_nullable_and_absent_vs_null() {
    let g = generate("optional_nullable.yaml");
    let text = code(&g);
    // Request body: optional + nullable distinguishes absent from null.
    assert!(text.contains("pub note: Option<Option<String>>"));
    // ... when decoded too (absent `None`, `null` `Some(None)`), and sent only when set.
    let patch_serde = text
        .split("crate::runtime::impl_serde! {\n    RunPatch;\n")
        .nth(1)
        .expect("RunPatch serde impls");
    assert!(
        patch_serde.contains("3 \"note\" note: double_option;"),
        "{patch_serde}"
    );
    // Response: optional + nullable is a plain Option (absent and `null` are `None`), omitted
    // when `None`.
    let run = text.split("pub struct Run {").nth(1).expect("Run struct");
    assert!(run.contains("pub note: Option<String>"));
    let run_serde = text
        .split("crate::runtime::impl_serde! {\n    Run;\n")
        .nth(1)
        .expect("Run serde impls");
    assert!(
        run_serde.contains("3 \"note\" note: optional;"),
        "{run_serde}"
    );
    // Required + nullable is always sent (`None` as `null`) and decodes absent as `None`.
    assert!(text.contains("`None` is sent as `null`.\n    pub required_nullable"));
    assert!(run_serde.contains("1 \"required_nullable\" required_nullable: nullable;"));
    // Required: missing is an error.
    assert!(run_serde.contains("0 \"required_plain\" required_plain: required;"));
    insta::assert_snapshot!("optional_nullable", text);
}

#[test]
fn enums_are_open() {
    let g = generate("enums.yaml");
    let text = code(&g);
    assert!(text.contains("Unknown(String)"));
    // A spec value named "Unknown" does not clash with the catch-all variant.
    assert!(text.contains("Unknown2,"));
    assert!(text.contains("\"*/*\" => Self::Value,"));
    insta::assert_snapshot!("enums", text);
}

#[test]
fn unions_tuples_and_maps() {
    let g = generate("unions.yaml");
    let api = &g.api;
    let TypeKind::Union(actions) = &api.type_named("BulkBodyActionsItem").expect("union").kind
    else {
        panic!("not a union")
    };
    assert_eq!(actions.tag.as_deref(), Some("action"));
    let names: Vec<&str> = actions
        .variants
        .iter()
        .map(|v| v.rust_name.as_str())
        .collect();
    assert_eq!(names, ["Create", "Delete"]);
    let variants = |ty: &str| -> Vec<String> {
        match &api.type_named(ty).expect(ty).kind {
            TypeKind::Union(u) => {
                assert!(u.tag.is_none());
                u.variants.iter().map(|v| v.rust_name.clone()).collect()
            }
            _ => panic!("{ty} is not a union"),
        }
    };
    assert_eq!(variants("ShapesDetail"), ["String", "Object"]);
    assert_eq!(variants("ShapesLocItem"), ["String", "Integer"]);
    assert_eq!(variants("ShapesContent"), ["MessageList", "StringList"]);
    assert_eq!(variants("ShapesValue"), ["String", "Pair"]);
    assert_eq!(
        field(api, "Shapes", "labels").ty,
        TypeRef::Map(Box::new(TypeRef::Integer(64)))
    );
    assert!(matches!(
        field(api, "Shapes", "extra").ty,
        TypeRef::JsonObject(_)
    ));
    assert_eq!(
        api.untyped(),
        [(
            "Shapes.extra".to_string(),
            "free-form object in the spec".to_string()
        )]
    );
    insta::assert_snapshot!("unions", code(&g));
}

#[test]
fn dates_integer_widths_and_boxing() {
    let g = generate("types.yaml");
    let api = &g.api;
    assert_eq!(field(api, "Node", "at").ty, TypeRef::DateTime);
    assert_eq!(field(api, "Node", "day").ty, TypeRef::Date);
    assert_eq!(field(api, "Node", "small").ty, TypeRef::Integer(32));
    assert_eq!(field(api, "Node", "big").ty, TypeRef::Integer(64));
    assert_eq!(field(api, "Node", "default_int").ty, TypeRef::Integer(64));
    assert_eq!(field(api, "Node", "ratio").ty, TypeRef::Number(32));
    assert_eq!(field(api, "Node", "precise").ty, TypeRef::Number(64));
    assert!(field(api, "Node", "parent").boxed);
    assert!(
        !field(api, "Node", "children").boxed,
        "Vec already indirects"
    );
    // Node → Partner → Node: boxing on both sides is enough; the cycle is broken.
    assert!(field(api, "Node", "partner").boxed || field(api, "Partner", "node").boxed);
    insta::assert_snapshot!("types", code(&g));
}

#[test]
fn requests_path_query_header_body_and_pagination() {
    let g = generate_with_profile("requests.yaml");
    let api = &g.api;
    let op = api
        .operations
        .iter()
        .find(|o| o.id == "get_runs")
        .expect("get_runs");
    let required: Vec<&str> = op
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| p.wire_name.as_str())
        .collect();
    assert_eq!(required, ["dag_id", "run_id", "required_flag"]);
    assert!(
        op.params
            .iter()
            .any(|p| p.location == ParamLocation::Header)
    );
    assert!(
        op.pagination.is_some(),
        "the profile's limit/offset + total_entries convention → paginator"
    );
    let list = api
        .operations
        .iter()
        .find(|o| o.id == "list_all_runs")
        .expect("list_all_runs");
    assert_eq!(list.params[0].const_value.as_deref(), Some("~"));
    let text = code(&g);
    assert!(text.contains("pub fn get_runs(\n        &self,\n        dag_id: impl Into<String>,\n        run_id: impl Into<String>,\n        required_flag: bool,\n    )"));
    assert!(text.contains("req.path(&[\"dags\", \"~\", \"runs\", \"list\"]);"));
    assert!(text.contains("for value in &self.state {\n            req.query(\"state\", value);"));
    assert!(text.contains("req.header(\"X-Trace\", value);"));
    assert!(text.contains("pub fn into_stream(self) -> runtime::Paginator<String>"));
    insta::assert_snapshot!("requests", text);
}

#[test]
fn responses_media_types_and_typed_errors() {
    let g = generate("responses.yaml");
    let text = code(&g);
    assert!(
        text.contains("pub fn send(self) -> runtime::ResponseFuture<()>"),
        "204 → ()"
    );
    assert!(text.contains("pub fn text(self) -> runtime::ResponseFuture<String>"));
    assert!(
        text.contains("pub async fn stream(self) -> crate::Result<runtime::NdjsonStream<Value>>")
    );
    assert!(text.contains(
        "404 => serde_json::from_slice(body).ok().map(ErrorBody::HttpExceptionResponse)"
    ));
    assert!(
        text.contains(
            "422 => serde_json::from_slice(body).ok().map(ErrorBody::HttpValidationError)"
        )
    );
    // `default` error response decodes every status.
    assert!(text.contains("let _ = status;\n    serde_json::from_slice(body).ok().map(ErrorBody::HttpExceptionResponse)"));
    // The Accept header parameter is handled by the generator, not exposed.
    assert!(!text.contains("pub fn accept("));
    insta::assert_snapshot!("responses", text);
}

#[test]
fn output_is_byte_identical_across_runs() {
    for f in ["openapi31.yaml", "unions.yaml", "requests.yaml"] {
        assert_eq!(generate(f).files, generate(f).files, "{f}");
    }
}
