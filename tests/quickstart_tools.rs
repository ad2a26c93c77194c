//! `scripts/quickstart` stops at its first step, naming the missing tool and what to install,
//! when cargo or python3 is not on PATH (nothing is built or started).

use std::path::Path;
use std::process::Command;

/// A PATH directory holding only `tools` (symlinks to the real ones).
fn path_with(tools: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for tool in tools {
        let found = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|p| p.join(tool))
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("{tool} is not on PATH"));
        std::os::unix::fs::symlink(found, dir.path().join(tool)).expect("symlink");
    }
    dir
}

fn quickstart(path: &Path) -> (Option<i32>, String) {
    let out = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/quickstart"))
        .env("PATH", path)
        .output()
        .expect("quickstart runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn missing_cargo_is_named_with_what_to_install() {
    let dir = path_with(&["bash", "dirname"]);
    let (code, err) = quickstart(dir.path());
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("quickstart failed at step 1: cargo is not installed")
            && err.contains("rustup.rs"),
        "{err}"
    );
}

#[test]
fn missing_python_is_named_with_what_to_install() {
    let dir = path_with(&["bash", "dirname", "cargo"]);
    let (code, err) = quickstart(dir.path());
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("quickstart failed at step 1: python3 is not installed")
            && err.contains("Install Python 3"),
        "{err}"
    );
}
