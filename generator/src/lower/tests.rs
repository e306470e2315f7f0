//! Unit tests of the lowering: small documents in, IR (or a pointed error) out.

use std::path::Path;

use crate::ir::*;

/// Lowers a YAML document (normalized first, as the pipeline does).
fn lower(yaml: &str) -> Result<Api, String> {
    let mut doc: serde_json::Value = serde_yaml::from_str(yaml).map_err(|e| e.to_string())?;
    let warnings = crate::normalize::normalize(&mut doc);
    let openapi: openapiv3::OpenAPI = serde_json::from_value(doc).map_err(|e| e.to_string())?;
    super::lower(Path::new("t.yaml"), &openapi, warnings).map_err(|e| e.to_string())
}

fn ok(yaml: &str) -> Api {
    lower(yaml).unwrap_or_else(|e| panic!("{e}"))
}

fn err(yaml: &str) -> String {
    match lower(yaml) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

const HEAD: &str = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n";

fn op<'a>(api: &'a Api, id: &str) -> &'a Operation {
    api.operations
        .iter()
        .find(|o| o.id == id)
        .unwrap_or_else(|| panic!("no operation {id}"))
}

#[test]
fn security_is_per_operation_with_document_default() {
    let api = ok(&format!(
        "{HEAD}security: [{{key: []}}]
components:
  securitySchemes:
    key: {{type: apiKey, in: header, name: X-Key}}
    token: {{type: http, scheme: bearer}}
paths:
  /a: {{get: {{operationId: a, responses: {{'204': {{description: x}}}}}}}}
  /b: {{get: {{operationId: b, security: [], responses: {{'204': {{description: x}}}}}}}}
  /c: {{get: {{operationId: c, security: [{{token: []}}, {{}}], responses: {{'204': {{description: x}}}}}}}}
  /d: {{get: {{operationId: d, security: [{{key: [], token: []}}], responses: {{'204': {{description: x}}}}}}}}
"
    ));
    assert_eq!(api.schemes.len(), 2);
    assert!(
        matches!(&api.schemes[0].kind, SchemeKind::ApiKey { location: KeyLocation::Header, name } if name == "X-Key")
    );
    assert_eq!(op(&api, "a").security.alternatives, vec![vec![0]]);
    assert!(op(&api, "b").security.declared && op(&api, "b").security.alternatives.is_empty());
    assert_eq!(op(&api, "c").security.alternatives, vec![vec![1], vec![]]);
    assert_eq!(op(&api, "d").security.alternatives, vec![vec![0, 1]]);
    // Nothing declared anywhere: undeclared (the client sends what it has, as usual).
    let bare = ok(&format!(
        "{HEAD}paths:\n  /a: {{get: {{operationId: a, responses: {{'204': {{description: x}}}}}}}}\n"
    ));
    assert!(!op(&bare, "a").security.declared);
    let e = err(&format!(
        "{HEAD}paths:\n  /a: {{get: {{operationId: a, security: [{{nope: []}}], responses: {{'204': {{description: x}}}}}}}}\n"
    ));
    assert!(
        e.contains("#/paths/~1a/get/security/0/nope") && e.contains("`nope`"),
        "{e}"
    );
}

#[test]
fn logins_from_oauth2_password_flows_and_profiles() {
    let api = ok(&format!(
        "{HEAD}paths: {{}}
components:
  securitySchemes:
    form:
      type: oauth2
      flows: {{password: {{tokenUrl: /token, scopes: {{}}}}}}
    elsewhere:
      type: oauth2
      flows: {{password: {{tokenUrl: 'https://auth.example.com/token', scopes: {{}}}}}}
    custom:
      type: apiKey
      in: header
      name: TOKEN
      x-rust-login:
        path: /api/sessions
        json: {{session: {{email: $username, password: $password}}, kind: local}}
        token: /session/token
        token-claim: token
        send: [form]
"
    ));
    let form = api.schemes[0].login.as_ref().expect("form login");
    assert_eq!(form.path, "/token");
    assert!(matches!(&form.body, LoginBody::Form(f) if f.len() == 3));
    // An authorization server on another origin is a token provider's job.
    assert!(api.schemes[1].login.is_none());
    assert!(
        api.warnings
            .iter()
            .any(|w| w.pointer.ends_with("/tokenUrl"))
    );
    let custom = api.schemes[2].login.as_ref().expect("profile login");
    assert_eq!(custom.token_claim.as_deref(), Some("token"));
    assert_eq!(custom.send, vec![0]);
    assert!(matches!(&custom.body, LoginBody::Json(f)
        if f.contains(&(vec!["session".to_string(), "email".to_string()], LoginValue::Username))
        && f.contains(&(vec!["kind".to_string()], LoginValue::Text("local".into())))));
    let e = err(&format!(
        "{HEAD}paths: {{}}\ncomponents:\n  securitySchemes:\n    s:\n      type: http\n      scheme: bearer\n      x-rust-login: {{path: /l, json: {{user: $username}}, token: /t}}\n"
    ));
    assert!(
        e.contains("#/components/securitySchemes/s/x-rust-login") && e.contains("$password"),
        "{e}"
    );
    let e = err(&format!(
        "{HEAD}paths: {{}}\ncomponents:\n  securitySchemes:\n    s:\n      type: http\n      scheme: bearer\n      x-rust-login: {{path: /l, json: {{u: $username, p: $password}}, token: /t, tokn: 1}}\n"
    ));
    assert!(
        e.contains("x-rust-login") && e.contains("tokn"),
        "unknown keys are errors: {e}"
    );
}

const LIST: &str = "
components:
  schemas:
    Page:
      type: object
      required: [items, meta]
      properties:
        items: {type: array, items: {type: string}}
        meta:
          type: object
          properties: {next: {type: [boolean, 'null']}, count: {type: integer, format: int32}}
paths:
  /list:
    get:
      operationId: list
      parameters:
        - {name: _limit, in: query, schema: {type: integer}}
        - {name: _offset, in: query, schema: {type: integer}}
      responses:
        '200': {description: x, content: {application/json: {schema: {$ref: '#/components/schemas/Page'}}}}
  /other:
    get:
      operationId: other
      responses:
        '200': {description: x, content: {application/json: {schema: {$ref: '#/components/schemas/Page'}}}}
";

#[test]
fn pagination_follows_the_profile_convention() {
    let api = ok(&format!(
        "{HEAD}x-rust-pagination: {{offset: _offset, limit: _limit, has-more: /meta/next}}\n{LIST}"
    ));
    let pg = op(&api, "list").pagination.as_ref().expect("paginated");
    let Some(path) = &pg.end.has_more else {
        panic!("{:?}", pg.end)
    };
    assert!(pg.end.total.is_none());
    assert_eq!(path.dotted(), "meta.next");
    assert!(
        !path.0[0].optional && path.0[1].optional,
        "meta required, next nullable"
    );
    assert_eq!(pg.item, TypeRef::String);
    // Operations without the parameters are not paginated.
    assert!(op(&api, "other").pagination.is_none());
    // Both signals: either ends the stream.
    let api = ok(&format!(
        "{HEAD}x-rust-pagination: {{offset: _offset, limit: _limit, has-more: /meta/next, total: /meta/count}}\n{LIST}"
    ));
    let end = &op(&api, "list").pagination.as_ref().expect("paginated").end;
    assert!(
        matches!(&end.total, Some((p, 32)) if p.dotted() == "meta.count") && end.has_more.is_some()
    );
    // A convention the response does not fit leaves the operation unpaginated...
    let api = ok(&format!(
        "{HEAD}x-rust-pagination: {{offset: _offset, limit: _limit, total: /total}}\n{LIST}"
    ));
    assert!(op(&api, "list").pagination.is_none());
    // ...but an operation's own rule that does not fit is an error.
    let own = LIST.replace(
        "operationId: list\n",
        "operationId: list\n      x-rust-pagination: {offset: _offset, limit: _limit, total: /meta/next}\n",
    );
    let e = err(&format!("{HEAD}{own}"));
    assert!(
        e.contains("#/paths/~1list/get/x-rust-pagination") && e.contains("not an integer"),
        "{e}"
    );
    // Without a convention nothing is paginated.
    assert!(
        op(&ok(&format!("{HEAD}{LIST}")), "list")
            .pagination
            .is_none()
    );
}

#[test]
fn envelopes_unwrap_the_named_member() {
    let api = ok(&format!(
        "{HEAD}components:
  schemas:
    Thing: {{type: object, properties: {{id: {{type: integer}}}}}}
paths:
  /things:
    post:
      operationId: create
      x-rust-envelope: {{request: thing, response: thing}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {{type: object, required: [thing], properties: {{thing: {{$ref: '#/components/schemas/Thing'}}}}}}
      responses:
        '200':
          description: x
          content:
            application/json:
              schema: {{type: object, properties: {{thing: {{$ref: '#/components/schemas/Thing'}}, metadata: {{}}}}}}
"
    ));
    let o = op(&api, "create");
    let body = o.body.as_ref().expect("body");
    assert_eq!(body.ty, TypeRef::Named("Thing".into()));
    assert_eq!(body.envelope.as_deref(), Some("thing"));
    // Not required in the response envelope: the client returns an Option.
    assert_eq!(
        o.success.json,
        Some(TypeRef::Nullable(Box::new(TypeRef::Named("Thing".into()))))
    );
    // The wrapper objects are unused now and not generated.
    assert_eq!(
        api.types.len(),
        1,
        "{:?}",
        api.types.iter().map(|t| &t.name).collect::<Vec<_>>()
    );
    let e = err(&format!(
        "{HEAD}paths:\n  /x:\n    get:\n      operationId: x\n      x-rust-envelope: {{response: data}}\n      responses:\n        '200': {{description: x, content: {{application/json: {{schema: {{type: string}}}}}}}}\n"
    ));
    assert!(
        e.contains("#/paths/~1x/get/responses/200/content/application~1json/schema")
            && e.contains("`data`"),
        "{e}"
    );
}

#[test]
fn nullable_elements_of_arrays_and_maps() {
    let api = ok(&format!(
        "{HEAD}paths: {{}}
components:
  schemas:
    S:
      type: object
      properties:
        links: {{type: object, additionalProperties: {{anyOf: [{{type: string}}, {{type: 'null'}}]}}}}
        states: {{type: array, items: {{type: [string, 'null']}}}}
"
    ));
    let Some(TypeKind::Struct(s)) = api.type_named("S").map(|t| &t.kind) else {
        panic!("no struct")
    };
    let opt = |t: TypeRef| TypeRef::Nullable(Box::new(t));
    assert_eq!(s.fields[0].ty, TypeRef::Map(Box::new(opt(TypeRef::String))));
    assert_eq!(
        s.fields[1].ty,
        TypeRef::Array(Box::new(opt(TypeRef::String)))
    );
}

#[test]
fn document_profile_is_read_strictly() {
    let api = ok(&format!(
        "{HEAD}x-rust-client: {{crate: my-client, product: Thing, reserved-methods: [frobnicate]}}
x-rust-errors:
  in-body: {{member: /error, status: /error/code}}
  unsupported-operation: [{{status: 405}}, {{status: 404, has: /error}}]
x-rust-datetime: {{accept: ['%Y-%m-%d %H:%M:%S%.f%:z', {{format: '%Y-%m-%d %H:%M:%S', zone: utc}}]}}
paths:
  /f: {{get: {{operationId: frobnicate, responses: {{'204': {{description: x}}}}}}}}
"
    ));
    assert_eq!(api.client.crate_name.as_deref(), Some("my-client"));
    assert_eq!(api.product(), "Thing");
    assert_eq!(
        op(&api, "frobnicate").fn_name,
        "frobnicate_2",
        "reserved by the profile"
    );
    assert_eq!(api.client.errors.unsupported.len(), 2);
    assert!(api.client.datetime.accept[1].naive_utc);
    for (bad, at) in [
        (
            "x-rust-client: {crate: 'not a crate'}",
            "#/x-rust-client/crate",
        ),
        (
            "x-rust-errors: {in-body: {member: error}}",
            "#/x-rust-errors/in-body/member",
        ),
        (
            "x-rust-datetime: {accept: [{format: '%Y', zone: local}]}",
            "#/x-rust-datetime/accept/0/zone",
        ),
        ("x-rust-client: {crates: x}", "#/x-rust-client"),
    ] {
        let e = err(&format!("{HEAD}{bad}\npaths: {{}}\n"));
        assert!(e.contains(at), "{bad}: {e}");
    }
}
