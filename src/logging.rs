//! Logs as Terraform wants them from a plugin: one JSON object per line on stderr, in the
//! hclog format (`@level`, `@message`, `@module`, `@timestamp`, then fields), which Terraform
//! shows under `TF_LOG` / `TF_LOG_PROVIDER`.
//!
//! The level comes from the provider's own variable (`TF_LOG_PROVIDER_<NAME>`, named by the
//! server from the provider's name), else `TF_LOG_PROVIDER`, else `TF_LOG`; without any of them
//! nothing is logged. Only events of this crate are written; `@module` is the provider's name
//! followed by the module path of the event (`<name>.client.http`). Only values that the code
//! passes as fields are written, and no code passes a secret: secrets are
//! [`crate::framework::Secret`]s, which print `***`.

use std::fmt::Write as _;
use std::io::Write as _;

use serde_json::{Map, Value as J};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};

/// The crate whose events are written; `@module` replaces it with the provider's name.
const CRATE: &str = env!("CARGO_CRATE_NAME");

/// Reads the level from the environment (`provider_env` first, the provider's own
/// `TF_LOG_PROVIDER_<NAME>`) and installs the logger (once per process); `provider` (the
/// provider's name) begins every `@module`.
pub fn init(provider_env: &str, provider: &'static str) {
    let Some(max) = level_from_env(provider_env, |k| std::env::var(k).ok()) else {
        return;
    };
    let subscriber = tracing_subscriber::registry().with(HclogLayer {
        max,
        provider,
        sink: stderr_sink,
    });
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// The most verbose level to write, or None when logging is off: from `provider_env`, else
/// `TF_LOG_PROVIDER`, else `TF_LOG`.
pub fn level_from_env(provider_env: &str, get: impl Fn(&str) -> Option<String>) -> Option<Level> {
    let raw = [provider_env, "TF_LOG_PROVIDER", "TF_LOG"]
        .iter()
        .find_map(|k| get(k).filter(|v| !v.trim().is_empty()))?;
    match raw.trim().to_ascii_uppercase().as_str() {
        "TRACE" | "JSON" => Some(Level::TRACE),
        "DEBUG" => Some(Level::DEBUG),
        "INFO" => Some(Level::INFO),
        "WARN" => Some(Level::WARN),
        "ERROR" => Some(Level::ERROR),
        "OFF" => None,
        // Terraform treats other values as TRACE.
        _ => Some(Level::TRACE),
    }
}

struct HclogLayer {
    max: Level,
    /// The provider's name, the first part of `@module`.
    provider: &'static str,
    sink: fn(&str),
}

fn stderr_sink(line: &str) {
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn enabled(&self, metadata: &tracing::Metadata<'_>, _: Context<'_, S>) -> bool {
        metadata.level() <= &self.max && metadata.target().starts_with(CRATE)
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        (self.sink)(&format_event(
            event.metadata().level(),
            &module_name(self.provider, event.metadata().target()),
            |v| event.record(v),
        ));
    }
}

/// Builds one hclog JSON line (with its newline).
fn format_event(level: &Level, module: &str, record: impl FnOnce(&mut dyn Visit)) -> String {
    let mut fields = Fields(Map::new());
    record(&mut fields);
    let mut obj = Map::new();
    let level = match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    };
    obj.insert("@level".into(), J::from(level));
    obj.insert(
        "@message".into(),
        fields.0.remove("message").unwrap_or(J::from("")),
    );
    obj.insert("@module".into(), J::from(module));
    obj.insert("@timestamp".into(), J::from(timestamp()));
    obj.extend(fields.0);
    let mut line = J::Object(obj).to_string();
    line.push('\n');
    line
}

/// `<crate>::framework::rpc` → `<provider>.framework.rpc`.
fn module_name(provider: &str, target: &str) -> String {
    let rest = target.strip_prefix(CRATE).unwrap_or(target);
    let mut out = String::from(provider);
    for part in rest.split("::").filter(|p| !p.is_empty()) {
        let _ = write!(out, ".{part}");
    }
    out
}

fn timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    now.format(&fmt).unwrap_or_default()
}

struct Fields(Map<String, J>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().into(), J::from(format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), J::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), J::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), J::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), J::from(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn level_follows_terraform_variables() {
        assert_eq!(level_from_env("TF_LOG_PROVIDER_MY_CLOUD", env(&[])), None);
        assert_eq!(
            level_from_env("TF_LOG_PROVIDER_MY_CLOUD", env(&[("TF_LOG", "debug")])),
            Some(Level::DEBUG)
        );
        assert_eq!(
            level_from_env("TF_LOG_PROVIDER_MY_CLOUD", env(&[("TF_LOG", "JSON")])),
            Some(Level::TRACE)
        );
        assert_eq!(
            level_from_env(
                "TF_LOG_PROVIDER_MY_CLOUD",
                env(&[("TF_LOG", "trace"), ("TF_LOG_PROVIDER", "warn")])
            ),
            Some(Level::WARN)
        );
        assert_eq!(
            level_from_env(
                "TF_LOG_PROVIDER_MY_CLOUD",
                env(&[
                    ("TF_LOG_PROVIDER", "warn"),
                    ("TF_LOG_PROVIDER_MY_CLOUD", "off")
                ])
            ),
            None
        );
    }

    static LINES: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

    fn capture(line: &str) {
        LINES.lock().unwrap().push(line.to_string());
    }

    #[test]
    fn events_become_hclog_json_lines() {
        let subscriber = tracing_subscriber::registry().with(HclogLayer {
            max: Level::DEBUG,
            provider: "my-cloud",
            sink: capture,
        });
        tracing::subscriber::with_default(subscriber, || {
            tracing::debug!(
                rpc = "PlanResourceChange",
                duration_us = 42u64,
                "rpc served"
            );
            tracing::trace!("too verbose for this level");
        });
        let lines = LINES.lock().unwrap().clone();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].ends_with('\n'));
        let j: J = serde_json::from_str(lines[0].trim()).unwrap();
        assert_eq!(j["@level"], "debug");
        assert_eq!(j["@message"], "rpc served");
        assert_eq!(j["@module"], "my-cloud.logging.tests");
        assert_eq!(j["rpc"], "PlanResourceChange");
        assert_eq!(j["duration_us"], 42);
        assert!(j["@timestamp"].as_str().unwrap().ends_with('Z'));
    }
}
