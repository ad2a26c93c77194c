//! The generated pages, and the committed docs against them (`cargo nextest run --bin gen-docs`).

use std::path::Path;

use terraform_provider_vcf::provider::VcfProvider;

use super::render::{example_files, missing_examples, render_all, stale};

#[test]
fn every_page_has_front_matter_and_schema() {
    let pages = render_all(&VcfProvider, Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(pages.contains_key(Path::new("docs/index.md")));
    assert!(pages.contains_key(Path::new("docs/data-sources/sso_realm.md")));
    let action = &pages[Path::new("docs/actions/api_token_revoke.md")];
    assert!(
        action.contains("# vcf_api_token_revoke (Action)"),
        "{action}"
    );
    assert!(
        action.contains("The `config` block of an `action` block (Terraform 1.14+)"),
        "{action}"
    );
    assert!(pages.contains_key(Path::new("docs/actions/director_api_token_revoke.md")));
    for (path, text) in &pages {
        assert!(text.starts_with("---\npage_title: "), "{}", path.display());
        assert!(text.contains("## Schema"), "{}", path.display());
    }
    let index = &pages[Path::new("docs/index.md")];
    assert!(index.contains("- `operations` (Block, Max: 1)"), "{index}");
    assert!(index.contains("### Nested Schema for `operations`"));
    assert!(index.contains("- `api_token` (String, Sensitive)"));
}

/// Every resource, data source and ephemeral resource has an example (and every resource an
/// import script) under `examples/`, so every page has its Example Usage and Import sections.
#[test]
fn every_type_has_examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let missing = missing_examples(&VcfProvider, root);
    assert!(missing.is_empty(), "examples missing: {missing:?}");
    let pages = render_all(&VcfProvider, root);
    for (path, text) in &pages {
        assert!(text.contains("## Example Usage"), "{}", path.display());
        if path.starts_with("docs/resources") {
            assert!(text.contains("## Import"), "{}", path.display());
        }
    }
    assert!(
        missing_examples(&VcfProvider, &root.join("no-such-dir")).len()
            == example_files(&VcfProvider).len()
    );
}

/// The index links every guide under docs/guides/.
#[test]
fn index_lists_the_guides() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let index = &render_all(&VcfProvider, root)[Path::new("docs/index.md")];
    let guides: Vec<_> = std::fs::read_dir(root.join("docs/guides"))
        .expect("docs/guides")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!guides.is_empty());
    for g in guides {
        assert!(index.contains(&format!("(guides/{g})")), "{g} not in index");
    }
}

/// The committed docs are what the schemas produce; run `cargo run --bin gen-docs` to update.
#[test]
fn committed_docs_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let stale = stale(&VcfProvider, root);
    assert!(
        stale.is_empty(),
        "stale docs (run `cargo run --bin gen-docs`): {stale:?}"
    );
}
