//! The listener Terraform connects to: a unix socket (the default) or TCP on loopback, as the
//! provider's network variable chooses (see [`super::Names`]), within go-plugin's
//! `PLUGIN_UNIX_SOCKET_DIR` and `PLUGIN_MIN_PORT`..`PLUGIN_MAX_PORT`.

use std::path::PathBuf;

use tokio::net::{TcpListener, UnixListener};

pub(super) enum Listener {
    Unix(UnixListener, PathBuf),
    Tcp(TcpListener),
}

impl Listener {
    /// Binds the listener that `network_env` (see [`Names`]) chooses.
    pub(super) fn bind(network_env: &str) -> Result<Listener, String> {
        match std::env::var(network_env).as_deref() {
            Ok("tcp") => Self::bind_tcp(),
            Ok("unix") | Err(_) => Self::bind_unix(),
            Ok(other) => Err(format!(
                "{network_env} must be \"unix\" or \"tcp\", not {other:?}"
            )),
        }
    }

    fn bind_unix() -> Result<Listener, String> {
        let dir = std::env::var_os("PLUGIN_UNIX_SOCKET_DIR")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let mut last_err = String::new();
        for attempt in 0..32u32 {
            let path = dir.join(format!(
                "plugin{}{:08}",
                std::process::id(),
                seed.wrapping_add(attempt * 7919) % 100_000_000
            ));
            match UnixListener::bind(&path) {
                Ok(l) => return Ok(Listener::Unix(l, path)),
                Err(e) => last_err = format!("cannot listen on {}: {e}", path.display()),
            }
        }
        Err(last_err)
    }

    fn bind_tcp() -> Result<Listener, String> {
        let port = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u16>().ok());
        let (min, max) = (
            port("PLUGIN_MIN_PORT").unwrap_or(0),
            port("PLUGIN_MAX_PORT").unwrap_or(0),
        );
        let candidates: Vec<u16> = if min == 0 || max < min {
            vec![0]
        } else {
            (min..=max).collect()
        };
        for p in candidates {
            if let Ok(std_listener) = std::net::TcpListener::bind(("127.0.0.1", p))
                && std_listener.set_nonblocking(true).is_ok()
                && let Ok(l) = TcpListener::from_std(std_listener)
            {
                return Ok(Listener::Tcp(l));
            }
        }
        Err("no free TCP port on 127.0.0.1 in the PLUGIN_MIN_PORT..PLUGIN_MAX_PORT range".into())
    }

    pub(super) fn network_and_address(&self) -> (&'static str, String) {
        match self {
            Listener::Unix(_, path) => ("unix", path.display().to_string()),
            Listener::Tcp(l) => (
                "tcp",
                l.local_addr().map(|a| a.to_string()).unwrap_or_default(),
            ),
        }
    }
}
