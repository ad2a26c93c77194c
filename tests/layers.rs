//! The layer rule of `docs/dev/architecture.md`: a top-level module of the library imports only
//! the modules below it, so no import cycle can come back.
//!
//! Every `src/**/*.rs` file belongs to the top-level module it sits in (`src/client/http.rs` to
//! `client`, `src/proto.rs` to `proto`); each `crate::<module>` path in its code (comments are
//! skipped), and each `super::` chain that climbs to the crate root, is an edge that must be in
//! [`ALLOWED`]. `main.rs`, `lib.rs`, `fuzzing.rs` (the fuzz entry points, only with the
//! `fuzzing` feature) and `bin/` are wiring: they may use everything, and nothing may use them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex_lite::Regex;

/// Which top-level modules each layer may import, lowest layer first:
/// proto ← framework ← server; framework ← client ← resources ← provider; logging is a leaf
/// used by server.
const ALLOWED: &[(&str, &[&str])] = &[
    ("proto", &[]),
    ("logging", &[]),
    ("framework", &["proto"]),
    ("server", &["proto", "framework", "logging"]),
    ("client", &["framework"]),
    ("resources", &["framework", "client"]),
    ("provider", &["framework", "client", "resources"]),
];

/// Files and folders that wire the layers together (see the module documentation).
const WIRING: &[&str] = &["main", "lib", "fuzzing", "bin"];

/// Macros exported at the crate root (`crate::model!`), by the module that defines them.
const ROOT_MACROS: &[(&str, &str)] = &[
    ("model", "framework"),
    ("attr_path", "framework"),
    ("rotating_fields", "resources"),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable src dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn is_top_level(name: &str) -> bool {
    ALLOWED.iter().any(|(layer, _)| *layer == name) || WIRING.contains(&name)
}

/// The module path of a file under `src/` (`client/auth/mod.rs` is `[client, auth]`).
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The top-level modules a file's code names: `crate::x` paths (also inside `$crate::`), and
/// `super::` chains as long as the file's depth (they reach the crate root) that name one.
fn referenced_modules(text: &str, depth: usize) -> BTreeSet<String> {
    static PATTERNS: LazyLock<[Regex; 3]> = LazyLock::new(|| {
        [
            r"\bcrate::([A-Za-z_][A-Za-z0-9_]*)",
            r"\b((?:super::)+)([A-Za-z_][A-Za-z0-9_]*)",
            r"\bcrate::\{([^}]*)",
        ]
        .map(|p| Regex::new(p).expect("valid pattern"))
    });
    let [crate_path, super_path, group] = &*PATTERNS;
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        for c in crate_path.captures_iter(code) {
            found.insert(c[1].to_string());
        }
        // `use crate::{client::X, framework::Y}` (on one line).
        for c in group.captures_iter(code) {
            for item in c[1].split(',') {
                let head = item.trim().split("::").next().unwrap_or("").trim();
                if !head.is_empty() {
                    found.insert(head.to_string());
                }
            }
        }
        // A chain inside an inline module (`mod tests`) lands one level lower, so only names
        // of top-level modules count.
        for c in super_path.captures_iter(code) {
            if c[1].matches("super::").count() >= depth && is_top_level(&c[2]) {
                found.insert(c[2].to_string());
            }
        }
    }
    found
}

/// Every import of the library that the table does not allow, as `file: layer -> module`.
fn violations(src: &Path) -> (Vec<String>, BTreeMap<String, BTreeSet<String>>) {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut bad = Vec::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(src).expect("under src");
        let path = module_path(rel);
        let layer = path[0].as_str();
        if WIRING.contains(&layer) {
            continue;
        }
        let Some(may_use) = allowed.get(layer) else {
            bad.push(format!(
                "{}: top-level module `{layer}` is not in the layer table of tests/layers.rs \
                 (add it, and to docs/dev/architecture.md)",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("readable source");
        for module in referenced_modules(&text, path.len()) {
            let module = ROOT_MACROS
                .iter()
                .find(|(name, _)| *name == module)
                .map_or(module.clone(), |(_, home)| home.to_string());
            if module == layer {
                continue;
            }
            edges
                .entry(layer.to_string())
                .or_default()
                .insert(module.clone());
            if !may_use.contains(&module.as_str()) {
                bad.push(format!(
                    "{}: `{layer}` imports `crate::{module}`, which the layer rule forbids",
                    rel.display()
                ));
            }
        }
    }
    (bad, edges)
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn imports_follow_the_layers() {
    let (bad, _) = violations(&src());
    assert!(
        bad.is_empty(),
        "imports against the layer rule (docs/dev/architecture.md):\n{}",
        bad.join("\n")
    );
}

/// The scanner sees the imports that exist (so the rule above is not vacuously true).
#[test]
fn scanner_finds_the_known_edges() {
    let (_, edges) = violations(&src());
    for (from, to) in [
        ("provider", "resources"),
        ("resources", "client"),
        ("client", "framework"),
        ("framework", "proto"),
        ("server", "framework"),
    ] {
        assert!(
            edges.get(from).is_some_and(|e| e.contains(to)),
            "{from} -> {to} not found: {edges:?}"
        );
    }
    let found = referenced_modules(
        "use crate::{client::Api, framework::Value};\n// crate::provider in a comment\nuse super::super::resources::X;",
        2,
    );
    assert_eq!(
        found.into_iter().collect::<Vec<_>>(),
        ["client", "framework", "resources"]
    );
}

/// The table itself has no cycle: every allowed edge points at a module listed before.
#[test]
fn layer_table_is_ordered() {
    let mut seen = BTreeSet::new();
    for (layer, uses) in ALLOWED {
        for u in *uses {
            assert!(
                seen.contains(u),
                "`{layer}` may use `{u}`, which is not below it in ALLOWED"
            );
        }
        seen.insert(*layer);
    }
}
