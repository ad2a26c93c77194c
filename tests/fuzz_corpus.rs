//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/`) through the fuzz targets'
//! functions (`terraform_provider_vcf::fuzzing`) with plain `cargo test`, so CI checks every
//! saved input — seeds and whatever libFuzzer runs added — without libFuzzer or nightly flags.
//! The libFuzzer runs themselves are `scripts/fuzz`.

use std::path::{Path, PathBuf};

use terraform_provider_vcf::fuzzing;

/// A fuzz target: its name (the corpus directory) and its function.
type Target = (&'static str, fn(&[u8]));

const TARGETS: [Target; 3] = [
    ("dynamic_value", fuzzing::dynamic_value),
    ("server_json", fuzzing::server_json),
    ("config_validation", fuzzing::config_validation),
];

fn corpus(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target)
}

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus(target))
        .unwrap_or_else(|e| panic!("corpus of {target}: {e}"))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).expect("corpus file");
            (p, b)
        })
        .collect()
}

#[test]
fn every_corpus_input_runs_clean() {
    for (target, run) in TARGETS {
        let all = inputs(target);
        assert!(
            all.len() >= 10,
            "{target}: corpus has only {} inputs",
            all.len()
        );
        for (path, bytes) in &all {
            let r = std::panic::catch_unwind(|| run(bytes));
            assert!(r.is_ok(), "{target}: {} panics", path.display());
        }
        eprintln!("fuzz corpus: {target}: {} inputs ran clean", all.len());
    }
}

#[test]
fn seeds_are_committed() {
    for (target, seed) in fuzzing::seeds() {
        let name = format!("seed-{}", fnv(&seed));
        assert!(
            corpus(target).join(&name).exists(),
            "{target}/{name} missing: run `cargo test --test fuzz_corpus -- --ignored write_seed_corpora`"
        );
    }
}

/// Writes the seed inputs into `fuzz/corpus/` (names from their content).
#[test]
#[ignore]
fn write_seed_corpora() {
    for (target, seed) in fuzzing::seeds() {
        let dir = corpus(target);
        std::fs::create_dir_all(&dir).expect("corpus dir");
        std::fs::write(dir.join(format!("seed-{}", fnv(&seed))), &seed).expect("write seed");
    }
}

/// FNV-1a, 64 bits, as hex: a stable name for a seed.
fn fnv(b: &[u8]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for x in b {
        h ^= u64::from(*x);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}
