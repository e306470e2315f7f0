//! Writes, into `OUT_DIR`, what the conformance tests need from each pinned API
//! (`spec/<api>/profile.yaml` beside its newest spec, found as `cargo xtask` finds them):
//!
//! - `<api>.json` / `<api>-<version>.json`: every pinned spec with the profile applied, as JSON:
//!   the newest is the tests' oracle (they generate instances from its JSON Schemas and validate
//!   request bodies against them), the older ones say which required properties an older
//!   server may leave out;
//! - `dispatch.rs`: from the generator's IR (the newest spec with the older ones merged in, as
//!   `cargo xtask codegen` builds the crate), which Rust type of the API's crate stands for each
//!   component schema (`TypeOrigin::Component(wire name)` → `<crate>::models::<TypeDef.name>`)
//!   and what each operation decodes (success, NDJSON line, error bodies by status) and sends
//!   (request body, envelope). The tests `include!` it, so it can never go stale.
//!
//! The mapping comes from the IR on purpose: the tests check that what the IR decided (and the
//! emitted code does) agrees with the spec.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use codegen::ir::{Api, ErrorStatus, TypeOrigin, TypeRef};

fn main() {
    if let Err(e) = run() {
        eprintln!("conformance build script: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let out = PathBuf::from(env("OUT_DIR")?);
    let root = manifest
        .parent()
        .ok_or("the crate has no parent folder")?
        .to_path_buf();
    let spec_root = root.join("spec");
    println!("cargo::rerun-if-changed={}", spec_root.display());
    let manifest_text = read(&manifest.join("Cargo.toml"))?;

    let mut apis = String::new();
    let mut modules = String::new();
    for dir in api_dirs(&spec_root)? {
        let name = file_name(&dir)?;
        let specs = pinned_specs(&dir)?;
        let profile = codegen::overlay::Overlay::load(&dir.join("profile.yaml"))
            .map_err(|e| e.to_string())?;
        // Every pinned version with the profile applied: the newest is the oracle, the older
        // ones tell which required properties an older server may leave out.
        let mut json_files = Vec::new();
        for (label, spec) in &specs {
            let mut doc = codegen::load::load(spec).map_err(|e| e.to_string())?;
            profile.apply(spec, &mut doc).map_err(|e| e.to_string())?;
            let file = match label {
                Some(v) => format!("{name}-{v}.json"),
                None => format!("{name}.json"),
            };
            std::fs::write(
                out.join(&file),
                serde_json::to_string(&doc).map_err(|e| e.to_string())?,
            )
            .map_err(|e| format!("{}: {e}", out.join(&file).display()))?;
            json_files.push(file);
        }
        let (_, spec) = specs.last().ok_or("no spec")?;
        let spec = spec.clone();
        let json_file = json_files.pop().ok_or("no spec")?;
        let older_json: Vec<String> = json_files
            .iter()
            .map(|f| format!("include_str!(concat!(env!(\"OUT_DIR\"), \"/{f}\"))"))
            .collect();

        // The crate's IR: the newest spec with the older ones merged in, as `cargo xtask
        // codegen` builds it.
        let paths: Vec<&Path> = specs.iter().map(|(_, p)| p.as_path()).collect();
        let mut irs = codegen::build_irs(&paths, Some(&profile)).map_err(|e| e.to_string())?;
        let (newest, _) = irs.pop().ok_or("no spec")?;
        let api = match specs.last().and_then(|(l, _)| l.clone()) {
            None => newest,
            Some(label) => {
                let older: Vec<(&str, &Api)> = specs
                    .iter()
                    .filter_map(|(l, _)| l.as_deref())
                    .zip(irs.iter().map(|(a, _)| a))
                    .collect();
                codegen::versions::merge(&label, newest, &older)
            }
        };
        let krate = api
            .client
            .crate_name
            .clone()
            .ok_or_else(|| format!("{}: the profile names no crate", dir.display()))?;
        if !manifest_text.contains(&format!("{krate} = {{ path = \"../generated/{krate}\"")) {
            return Err(format!(
                "spec/{name} is pinned but conformance/Cargo.toml has no dev-dependency \
                 `{krate} = {{ path = \"../generated/{krate}\", default-features = false }}`"
            ));
        }
        let lib = krate.replace('-', "_");
        let module = format!("dispatch_{}", name.replace(['-', '.'], "_"));
        let rel = spec
            .strip_prefix(&root)
            .unwrap_or(&spec)
            .display()
            .to_string();
        writeln!(
            apis,
            "    ApiDispatch {{ name: {name:?}, crate_name: {krate:?}, spec_file: {rel:?}, \
             spec_json: include_str!(concat!(env!(\"OUT_DIR\"), \"/{json_file}\")), \
             older_specs: &[{}], components: {module}::COMPONENTS, operations: {module}::OPERATIONS }},",
            older_json.join(", ")
        )
        .map_err(|e| e.to_string())?;
        modules.push_str(&dispatch_module(&module, &lib, &api));
    }
    let text = format!(
        "// generated by conformance/build.rs from the generator's IR of every pinned API\n\
         /// Every pinned API, by folder name under `spec/`.\n\
         pub static APIS: &[ApiDispatch] = &[\n{apis}];\n{modules}"
    );
    std::fs::write(out.join("dispatch.rs"), text).map_err(|e| e.to_string())
}

/// The dispatch tables of one API.
fn dispatch_module(module: &str, lib: &str, api: &Api) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "#[allow(clippy::type_complexity)]\nmod {module} {{\n    use super::support::dispatch::*;\n\
         \n    fn decode<T: ::serde::de::DeserializeOwned>(bytes: &[u8]) -> ::std::result::Result<T, ::std::string::String> {{\n        \
         ::{lib}::decode_body::<T>(bytes).map_err(|e| e.to_string())\n    }}\n\
         \n    fn rt<T: ::serde::de::DeserializeOwned + ::serde::Serialize + ::std::cmp::PartialEq + ::std::fmt::Debug>(text: &str) -> ::std::result::Result<RoundTrip, Failure> {{\n        \
         roundtrip::<T>(text, decode::<T>)\n    }}\n\
         \n    fn req<T: ::serde::de::DeserializeOwned + ::serde::Serialize>(member: &str, envelope: ::std::option::Option<&'static str>) -> ::std::result::Result<::std::vec::Vec<u8>, ::std::string::String> {{\n        \
         request::<T>(member, envelope, decode::<T>)\n    }}\n"
    );
    let decoder = |t: &TypeRef| {
        let ty = rust_type(t, lib);
        format!(
            "Decoder {{ rust: {:?}, run: rt::<{ty}> }}",
            ty.replace(' ', "")
        )
    };
    let _ = writeln!(s, "    pub static COMPONENTS: &[(&str, Decoder)] = &[");
    for t in &api.types {
        if let TypeOrigin::Component(wire) = &t.origin {
            let _ = writeln!(
                s,
                "        ({wire:?}, {}),",
                decoder(&TypeRef::Named(t.name.clone()))
            );
        }
    }
    let _ = writeln!(s, "    ];");
    let _ = writeln!(s, "    pub static OPERATIONS: &[(&str, OpDispatch)] = &[");
    for op in &api.operations {
        let success = op
            .success
            .json
            .as_ref()
            .map_or("None".to_string(), |t| format!("Some({})", decoder(t)));
        let ndjson = op
            .success
            .ndjson
            .as_ref()
            .map_or("None".to_string(), |t| format!("Some({})", decoder(t)));
        let errors: Vec<String> = op
            .errors
            .iter()
            .map(|e| {
                let status = match e.status {
                    ErrorStatus::Code(c) => c.to_string(),
                    ErrorStatus::Class(c) => format!("{c}XX"),
                    ErrorStatus::Default => "default".into(),
                };
                format!("({status:?}, {})", decoder(&e.ty))
            })
            .collect();
        let body = op.body.as_ref().map_or("None".to_string(), |b| {
            let ty = rust_type(&b.ty, lib);
            format!(
                "Some(Encoder {{ rust: {:?}, envelope: {:?}, required: {}, run: req::<{ty}> }})",
                ty.replace(' ', ""),
                b.envelope,
                b.required
            )
        });
        let _ = writeln!(
            s,
            "        ({:?}, OpDispatch {{ success: {success}, envelope: {:?}, ndjson: {ndjson}, errors: &[{}], body: {body} }}),",
            op.id,
            op.success.envelope,
            errors.join(", ")
        );
    }
    let _ = writeln!(s, "    ];\n}}");
    s
}

/// How the generated crate spells a type (the emitter's mapping, written against the crate's
/// public paths).
fn rust_type(t: &TypeRef, lib: &str) -> String {
    match t {
        TypeRef::Named(n) => format!("::{lib}::models::{}", n.trim_start_matches("r#")),
        TypeRef::String => "::std::string::String".into(),
        TypeRef::Integer(32) => "i32".into(),
        TypeRef::Integer(_) => "i64".into(),
        TypeRef::Number(32) => "f32".into(),
        TypeRef::Number(_) => "f64".into(),
        TypeRef::Boolean => "bool".into(),
        TypeRef::DateTime => format!("::{lib}::chrono::DateTime<::{lib}::chrono::Utc>"),
        TypeRef::Date => format!("::{lib}::chrono::NaiveDate"),
        TypeRef::Array(inner) => format!("::std::vec::Vec<{}>", rust_type(inner, lib)),
        TypeRef::Map(inner) => format!(
            "::std::collections::BTreeMap<::std::string::String, {}>",
            rust_type(inner, lib)
        ),
        TypeRef::Tuple(parts) => {
            let parts: Vec<String> = parts.iter().map(|p| rust_type(p, lib)).collect();
            format!("({},)", parts.join(", "))
        }
        TypeRef::Nullable(inner) => format!("::std::option::Option<{}>", rust_type(inner, lib)),
        TypeRef::Json(_) => format!("::{lib}::serde_json::Value"),
        TypeRef::JsonObject(_) => {
            format!("::{lib}::serde_json::Map<::std::string::String, ::{lib}::serde_json::Value>")
        }
    }
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn file_name(path: &Path) -> Result<String, String> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_string)
        .ok_or_else(|| format!("{}: no file name", path.display()))
}

/// `spec/<api>/` folders with a profile, sorted.
fn api_dirs(spec_root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(spec_root)
        .map_err(|e| format!("{}: {e}", spec_root.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("profile.yaml").is_file())
        .collect();
    dirs.sort();
    if dirs.is_empty() {
        return Err(format!(
            "no spec/<api>/profile.yaml under {}",
            spec_root.display()
        ));
    }
    Ok(dirs)
}

/// The specs of `spec/<api>/`, oldest first: `openapi.{yaml,json}` (no version label), or the
/// one spec file of each `<X.Y.Z>/` folder with `provenance.json`, as xtask's `pinned.rs` finds
/// them.
fn pinned_specs(dir: &Path) -> Result<Vec<(Option<String>, PathBuf)>, String> {
    for f in ["openapi.yaml", "openapi.json"] {
        if dir.join(f).is_file() {
            return Ok(vec![(None, dir.join(f))]);
        }
    }
    let mut versions: Vec<(Vec<u64>, String, PathBuf)> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("provenance.json").is_file())
        .filter_map(|p| {
            let v = p.file_name()?.to_str()?.to_string();
            Some((v.split('.').map(|x| x.parse().unwrap_or(0)).collect(), v, p))
        })
        .collect();
    versions.sort();
    if versions.is_empty() {
        return Err(format!("{}: no spec", dir.display()));
    }
    versions
        .into_iter()
        .map(|(_, label, folder)| {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
                .map_err(|e| format!("{}: {e}", folder.display()))?
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && p.extension()
                            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
                        && p.file_name().is_some_and(|n| n != "provenance.json")
                })
                .collect();
            files.sort();
            match files.as_slice() {
                [one] => Ok((Some(label), one.clone())),
                _ => Err(format!(
                    "{}: expected one spec file beside provenance.json, found {}",
                    folder.display(),
                    files.len()
                )),
            }
        })
        .collect()
}
