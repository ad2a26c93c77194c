//! The provider processes a test's terraform started, found in `/proc` (Linux only), for the
//! tests that check that no provider outlives its terraform.

use std::collections::HashMap;
use std::path::Path;

/// Pids of the running processes whose executable is `exe` and that descend from `root`.
pub fn descendants_running(root: u32, exe: &Path) -> Vec<u32> {
    let mut parent = HashMap::new();
    for e in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after ')'.
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        let Some(after) = stat.rsplit_once(')').map(|(_, a)| a) else {
            continue;
        };
        if let Some(ppid) = after
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok())
        {
            parent.insert(pid, ppid);
        }
    }
    let exe = std::fs::canonicalize(exe).unwrap_or_else(|_| exe.to_path_buf());
    parent
        .keys()
        .copied()
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| p == exe))
        .filter(|pid| {
            let mut p = *pid;
            for _ in 0..32 {
                match parent.get(&p) {
                    Some(&pp) if pp == root => return true,
                    Some(&pp) if pp > 1 => p = pp,
                    _ => return false,
                }
            }
            false
        })
        .collect()
}
