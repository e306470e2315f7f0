//! The names the generator reserves match what the hand-written templates define: every method
//! of `Client` in `templates/runtime` is in `naming::RESERVED_METHODS`, and every method a
//! template set adds to `Client` is in the `reserved-methods` of each profile that uses that set.
//! (A new runtime or workflow method without its reservation would let an operation of the same
//! name break the build.)

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn templates() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates")
}

/// Method names of every `impl Client` / `impl crate::Client` block (no trait impls) in `dir`.
fn client_methods(dir: &Path) -> BTreeSet<String> {
    fn walk(items: &[syn::Item], out: &mut BTreeSet<String>) {
        for item in items {
            match item {
                syn::Item::Impl(i) if i.trait_.is_none() => {
                    let is_client = matches!(&*i.self_ty, syn::Type::Path(p)
                        if p.path.segments.last().is_some_and(|s| s.ident == "Client"));
                    if is_client {
                        for it in &i.items {
                            if let syn::ImplItem::Fn(f) = it {
                                out.insert(f.sig.ident.to_string());
                            }
                        }
                    }
                }
                syn::Item::Mod(m) => {
                    if let Some((_, items)) = &m.content {
                        walk(items, out);
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = BTreeSet::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "rs") {
            let text =
                std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            walk(&file.items, &mut out);
        }
    }
    out
}

#[test]
fn runtime_methods_of_client_are_reserved() {
    let defined = client_methods(&templates().join("runtime"));
    assert!(
        defined.contains("builder") && defined.contains("execute"),
        "{defined:?}"
    );
    let reserved: BTreeSet<String> = codegen::naming::RESERVED_METHODS
        .iter()
        .map(|s| s.to_string())
        .collect();
    let missing: Vec<&String> = defined.difference(&reserved).collect();
    assert!(
        missing.is_empty(),
        "runtime Client methods not in RESERVED_METHODS: {missing:?}"
    );
}

#[test]
fn workflow_methods_of_client_are_reserved_by_their_profiles() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    for entry in std::fs::read_dir(&spec).expect("spec dir").flatten() {
        let profile = entry.path().join("profile.yaml");
        if !profile.is_file() {
            continue;
        }
        let overlay = codegen::overlay::Overlay::load(&profile).unwrap_or_else(|e| panic!("{e}"));
        // The profile's x-rust-client, as the overlay sets it on the document root.
        let mut doc = serde_json::json!({});
        overlay
            .apply(&profile, &mut doc)
            .unwrap_or_else(|e| panic!("{e}"));
        let client = &doc["x-rust-client"];
        let Some(set) = client["templates"].as_str() else {
            continue;
        };
        let reserved: BTreeSet<String> = client["reserved-methods"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let defined = client_methods(&templates().join(set).join("workflows"));
        let missing: Vec<&String> = defined.difference(&reserved).collect();
        assert!(
            missing.is_empty(),
            "{}: Client methods of templates/{set}/workflows not in reserved-methods: {missing:?}",
            profile.display()
        );
    }
}
