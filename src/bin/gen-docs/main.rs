//! Writes the registry documentation under `docs/` from the provider's schemas and `examples/`
//! (`cargo run --bin gen-docs`). `gen-docs --check` only reports pages that are out of date
//! (exit code 1). The page generation lives here, in `render.rs`, not in the provider's
//! library: the shipped provider does not carry it.

use std::path::Path;

use terraform_provider_vcf::provider::VcfProvider;

mod render;
#[cfg(test)]
mod tests;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let check = std::env::args().any(|a| a == "--check");
    let stale = render::stale(&VcfProvider, root);
    for f in render::missing_examples(&VcfProvider, root) {
        eprintln!("gen-docs: missing example {f}");
    }
    if check {
        for p in &stale {
            eprintln!("stale: {}", p.display());
        }
        std::process::exit(i32::from(!stale.is_empty()));
    }
    for (path, content) in render::render_all(&VcfProvider, root) {
        let full = root.join(&path);
        if let Some(dir) = full.parent()
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            eprintln!("gen-docs: cannot create {}: {e}", dir.display());
            std::process::exit(1);
        }
        if let Err(e) = std::fs::write(&full, content) {
            eprintln!("gen-docs: cannot write {}: {e}", full.display());
            std::process::exit(1);
        }
    }
    println!(
        "gen-docs: {} page(s) written, {} changed",
        render::render_all(&VcfProvider, root).len(),
        stale.len()
    );
}
