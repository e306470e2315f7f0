//! The generated docs stay true: every sentence is about the item it sits on. Checked over the
//! crates of the pinned APIs (as `cargo xtask codegen` generates them, in memory).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use codegen::overlay::Overlay;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The files of the crate of `spec/<api>` (its newest spec, with its profile).
fn crate_files(api: &str, spec: &str) -> (codegen::ir::Api, BTreeMap<PathBuf, String>) {
    let dir = repo().join("spec").join(api);
    let profile = Overlay::load(&dir.join("profile.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let settings = codegen::emit::Settings::new("the pinned spec");
    let g = codegen::generate(&dir.join(spec), Some(&profile), &settings)
        .unwrap_or_else(|e| panic!("{e}"));
    (g.api, g.files)
}

/// The three crates, generated once for all tests of this file.
fn pinned() -> &'static [(codegen::ir::Api, BTreeMap<PathBuf, String>)] {
    static PINNED: std::sync::OnceLock<Vec<(codegen::ir::Api, BTreeMap<PathBuf, String>)>> =
        std::sync::OnceLock::new();
    PINNED.get_or_init(|| {
        vec![
            crate_files("airflow", "3.3.2/v2-rest-api-generated.yaml"),
            crate_files("li-backfill-plugin", "openapi.yaml"),
            crate_files("mage", "openapi.yaml"),
        ]
    })
}

/// The doc comment lines (`///`) right above each line matching `item` (e.g. `pub struct X {`).
fn docs_above<'a>(text: &'a str, item: &str) -> Vec<&'a str> {
    let lines: Vec<&str> = text.lines().collect();
    let Some(at) = lines.iter().position(|l| l.trim_start().starts_with(item)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for l in lines[..at].iter().rev() {
        let t = l.trim_start();
        if let Some(doc) = t.strip_prefix("///") {
            out.push(doc.strip_prefix(' ').unwrap_or(doc));
        } else if t.starts_with("#[") {
            continue;
        } else {
            break;
        }
    }
    out.reverse();
    out
}

#[test]
fn every_operation_says_what_it_returns_its_responses_and_has_an_example() {
    for (api, files) in pinned() {
        let all: String = files
            .iter()
            .filter(|(p, _)| p.starts_with("src/apis"))
            .map(|(_, t)| t.as_str())
            .collect();
        for op in &api.operations {
            let f = op.fn_name.trim_start_matches("r#");
            let docs = docs_above(&all, &format!("pub fn {f}(")).join("\n");
            let flat = docs.replace('\n', " ");
            assert!(
                flat.contains("request builder;"),
                "{}: {f} does not say what it returns:\n{docs}",
                api.title
            );
            assert!(docs.contains("# Responses"), "{f}: no responses");
            assert!(
                docs.contains("# Example") && docs.contains("```no_run"),
                "{f}: no example"
            );
            // The example matches on the typed error whenever the operation documents any.
            if !op.errors.is_empty() {
                assert!(
                    docs.contains("Err(e) if e."),
                    "{}: {f}'s example does not match on its typed error:\n{docs}",
                    api.title
                );
            }
        }
    }
}

#[test]
fn builder_docs_mention_optional_parameters_only_when_there_are_some() {
    for (api, files) in pinned() {
        for (path, text) in files.iter().filter(|(p, _)| p.starts_with("src/apis")) {
            for op in &api.operations {
                let b = op.builder_name.trim_start_matches("r#");
                let docs = docs_above(text, &format!("pub struct {b} {{")).join(" ");
                if docs.is_empty() {
                    continue; // defined in another file
                }
                let setters = op
                    .params
                    .iter()
                    .any(|p| !p.required && p.const_value.is_none())
                    || op.body.as_ref().is_some_and(|b| !b.required);
                let says = docs.contains("optional parameters");
                assert_eq!(
                    says,
                    setters,
                    "{}: {b} in {}: optional parameters {} but the builder has {}: {docs}",
                    api.title,
                    path.display(),
                    if says { "mentioned" } else { "not mentioned" },
                    if setters { "setters" } else { "none" }
                );
                assert!(
                    !docs.contains("set optional parameters, then"),
                    "{b}: old wording"
                );
            }
        }
    }
}

#[test]
fn left_unchanged_is_said_only_of_patch_bodies() {
    for (api, files) in pinned() {
        let models = &files[Path::new("src/models.rs")];
        for t in &api.types {
            let name = t.name.trim_start_matches("r#");
            let start = models.find(&format!("pub struct {name} {{"));
            let Some(start) = start else { continue };
            let end = models[start..]
                .find("\n}")
                .map_or(models.len(), |e| start + e);
            let body = &models[start..end];
            if !body.contains("left unchanged") {
                continue;
            }
            let takers: Vec<_> = api
                .operations
                .iter()
                .filter(|o| {
                    o.body
                        .as_ref()
                        .is_some_and(|b| b.ty.named().contains(&t.name.as_str()))
                })
                .collect();
            assert!(
                !takers.is_empty()
                    && takers
                        .iter()
                        .all(|o| o.method == codegen::ir::Method::Patch),
                "{}: `left unchanged` on {name}, which non-PATCH operations take",
                api.title
            );
        }
    }
}

#[test]
fn tag_modules_list_every_operation() {
    for (api, files) in pinned() {
        let apis = &files[Path::new("src/apis/mod.rs")];
        let mut by_module: BTreeMap<&str, usize> = BTreeMap::new();
        for op in &api.operations {
            *by_module
                .entry(op.module.trim_start_matches("r#"))
                .or_default() += 1;
        }
        for (module, count) in by_module {
            let docs = docs_above(apis, &format!("pub mod {module} {{"));
            let rows = docs.iter().filter(|l| l.starts_with("| [`")).count();
            assert_eq!(
                rows, count,
                "{}: apis::{module} lists {rows} of {count}",
                api.title
            );
        }
    }
}

#[test]
fn no_crate_names_another_product() {
    // The LinkedIn plugin runs inside Airflow's webserver: Airflow is its host, not another
    // product. Mage and Airflow know nothing of each other.
    let forbidden: &[(&str, &[&str])] = &[
        ("Apache Airflow 3 REST API", &["Mage", "LinkedIn"]),
        ("LinkedIn Airflow backfill plugin API", &["Mage"]),
        ("Mage", &["Airflow", "LinkedIn"]),
    ];
    for (api, files) in pinned() {
        let Some((_, words)) = forbidden.iter().find(|(t, _)| api.title.starts_with(t)) else {
            continue;
        };
        for (path, text) in files {
            for w in *words {
                assert!(
                    !text.contains(w),
                    "{}: {} mentions {w}",
                    api.title,
                    path.display()
                );
            }
        }
    }
}
