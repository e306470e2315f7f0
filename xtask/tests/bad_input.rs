//! Bad input never panics and leaves no partial output: `cargo xtask codegen --spec` exits
//! non-zero with a message naming the file and the JSON pointer.

use std::process::Command;

fn run(name: &str, spec: &str) -> (bool, String, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("xtask-bad-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join(format!("{name}.yaml"));
    std::fs::write(&file, spec).expect("write spec");
    let out = dir.join("out");
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["codegen", "--spec"])
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run xtask");
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(!stderr.contains("panicked"), "{name} panicked: {stderr}");
    assert!(!out.exists(), "{name}: partial output was written");
    (output.status.success(), stderr, file)
}

fn expect_error(name: &str, spec: &str, pointer: &str, words: &str) {
    let (ok, stderr, file) = run(name, spec);
    assert!(!ok, "{name}: expected failure");
    assert!(
        stderr.contains(&file.display().to_string()),
        "{name}: no file in {stderr}"
    );
    assert!(
        stderr.contains(pointer),
        "{name}: no pointer {pointer} in {stderr}"
    );
    assert!(stderr.contains(words), "{name}: no `{words}` in {stderr}");
}

const OK_HEAD: &str = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n";

#[test]
fn malformed_yaml() {
    expect_error(
        "yaml",
        "openapi: 3.1.0\ninfo: [unclosed\n",
        "#",
        "invalid YAML",
    );
}

#[test]
fn malformed_json() {
    expect_error(
        "json",
        "{\"openapi\": \"3.1.0\", \"info\": ",
        "#",
        "invalid JSON",
    );
}

#[test]
fn empty_file() {
    expect_error("empty", "  \n", "#", "empty");
}

#[test]
fn swagger_2() {
    expect_error(
        "swagger",
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n",
        "#/swagger",
        "OpenAPI 2.0",
    );
}

#[test]
fn dangling_ref() {
    let spec = format!(
        "{OK_HEAD}paths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n          content: {{application/json: {{schema: {{$ref: '#/components/schemas/Missing'}}}}}}\n"
    );
    expect_error(
        "dangling",
        &spec,
        "#/paths/~1x/get/responses/200/content/application~1json/schema/$ref",
        "dangling",
    );
}

#[test]
fn cyclic_ref() {
    let spec = format!(
        "{OK_HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: '#/components/schemas/B'}}\n    B: {{$ref: '#/components/schemas/A'}}\n"
    );
    expect_error("cyclic", &spec, "#/components/schemas/A/$ref", "cyclic");
}

#[test]
fn duplicate_operation_ids() {
    let spec = format!(
        "{OK_HEAD}paths:\n  /a:\n    get: {{operationId: same, responses: {{'204': {{description: ok}}}}}}\n  /b:\n    get: {{operationId: same, responses: {{'204': {{description: ok}}}}}}\n"
    );
    expect_error(
        "dup",
        &spec,
        "#/paths/~1b/get/operationId",
        "duplicate operationId `same`",
    );
}

#[test]
fn undeclared_path_parameter() {
    let spec = format!(
        "{OK_HEAD}paths:\n  /a/{{id}}:\n    get: {{operationId: get_a, responses: {{'204': {{description: ok}}}}}}\n"
    );
    expect_error(
        "undeclared",
        &spec,
        "#/paths/~1a~1{id}/get",
        "path parameter `id` is used in the path",
    );
}

#[test]
fn unsupported_version() {
    expect_error(
        "v4",
        "openapi: 4.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
        "#/openapi",
        "not supported",
    );
}

#[test]
fn invalid_crate_name_is_an_error_not_a_panic() {
    let dir = std::env::temp_dir().join(format!("xtask-bad-{}-crate-name", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("ok.yaml");
    std::fs::write(&file, format!("{OK_HEAD}paths: {{}}\n")).expect("write");
    let out = dir.join("out");
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["codegen", "--spec"])
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .args(["--crate-name", "client-3.1.8"])
        .output()
        .expect("run xtask");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("not a valid crate name"), "{stderr}");
    assert!(!out.exists());
}
