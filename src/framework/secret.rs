//! `Secret`: the only way passwords, tokens and keys travel through the provider. Its `Debug`
//! and `Display` print `***`, and its memory is wiped when it is dropped.

use std::fmt;
use std::sync::{Mutex, OnceLock};

use zeroize::Zeroizing;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps `s`, and remembers it so that error texts never carry it (see [`scrub_known`]).
    pub fn new(s: impl Into<String>) -> Self {
        let s = Zeroizing::new(s.into());
        remember(&s);
        Secret(s)
    }
    /// The secret itself, for the one place that must send it (a request body or header).
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Secrets shorter than this are not remembered: replacing them would mangle every message.
pub const MIN_KNOWN_SECRET_LEN: usize = 4;
/// How many secrets are remembered (the oldest are forgotten first).
const MAX_KNOWN_SECRETS: usize = 512;

/// Each remembered secret in every form a server may echo it in, longest first.
struct Known {
    secrets: std::collections::VecDeque<Vec<Zeroizing<String>>>,
}

fn known() -> &'static Mutex<Known> {
    static KNOWN: OnceLock<Mutex<Known>> = OnceLock::new();
    KNOWN.get_or_init(|| {
        Mutex::new(Known {
            secrets: std::collections::VecDeque::new(),
        })
    })
}

fn remember(s: &str) {
    if s.chars().count() < MIN_KNOWN_SECRET_LEN {
        return;
    }
    let mut k = known().lock().unwrap_or_else(|p| p.into_inner());
    if k.secrets.iter().any(|forms| forms[0].as_str() == s) {
        return;
    }
    if k.secrets.len() >= MAX_KNOWN_SECRETS {
        k.secrets.pop_front();
    }
    k.secrets.push_back(echo_forms(s));
}

/// `s` as it appears echoed by a server: literally; JSON-escaped (also `\\uXXXX` for
/// non-ASCII, upper- or lower-case, and `\\/`); XML-escaped (`&apos;`/`&quot;`, `&#39;`/`&#34;`,
/// `&#x27;`/`&#x22;`); YAML single-quoted (`''`); percent-encoded (`+` or `%20` for a space,
/// upper- or lower-case hex). Each of those applied to the secret as the provider sent it (as
/// is, JSON-escaped in a JSON body, percent-encoded in a form): a server quoting a JSON request
/// body inside its own JSON error escapes the secret twice. The literal form comes first.
pub fn echo_forms(s: &str) -> Vec<Zeroizing<String>> {
    let sent = [s.to_string(), json_escape(s), percent(s)];
    let mut forms: Vec<String> = vec![s.to_string()];
    for b in &sent {
        forms.push(b.clone());
        let json = json_escape(b);
        for upper in [false, true] {
            let ascii = json_ascii(&json, upper);
            forms.push(ascii.replace('/', "\\/"));
            forms.push(ascii);
        }
        forms.push(json.replace('/', "\\/"));
        forms.push(json);
        let xml = b
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        forms.push(xml.replace('\'', "&apos;").replace('"', "&quot;"));
        forms.push(xml.replace('\'', "&#39;").replace('"', "&#34;"));
        forms.push(xml.replace('\'', "&#x27;").replace('"', "&#x22;"));
        forms.push(xml);
        forms.push(b.replace('\'', "''"));
        let pct = percent(b);
        forms.push(pct.replace('+', "%20"));
        forms.push(lower_hex_escapes(&pct));
        forms.push(pct);
    }
    let mut out: Vec<String> = Vec::new();
    for f in forms {
        if !f.is_empty() && !out.contains(&f) {
            out.push(f);
        }
    }
    out.into_iter().map(Zeroizing::new).collect()
}

/// The inside of `s` as a JSON string.
fn json_escape(s: &str) -> String {
    let json = serde_json::to_string(s).unwrap_or_default();
    json.strip_prefix('"')
        .and_then(|j| j.strip_suffix('"'))
        .unwrap_or_default()
        .to_string()
}

/// `json` with its non-ASCII characters as `\\uXXXX` escapes.
fn json_ascii(json: &str, upper: bool) -> String {
    let mut ascii = String::new();
    for c in json.chars() {
        if c.is_ascii() {
            ascii.push(c);
        } else {
            let mut buf = [0u16; 2];
            for u in c.encode_utf16(&mut buf) {
                if upper {
                    ascii.push_str(&format!("\\u{u:04X}"));
                } else {
                    ascii.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
    }
    ascii
}

/// `s` form-urlencoded (`+` for a space, upper-case hex).
fn percent(s: &str) -> String {
    let mut pct = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'*' => {
                pct.push(b as char)
            }
            b' ' => pct.push('+'),
            _ => pct.push_str(&format!("%{b:02X}")),
        }
    }
    pct
}

/// `%2F` → `%2f`.
fn lower_hex_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut left = 0;
    for c in s.chars() {
        if c == '%' {
            left = 2;
            out.push(c);
        } else if left > 0 {
            left -= 1;
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` with every remembered secret, in each of its [`echo_forms`], replaced by `***`.
pub fn scrub_known(text: &str) -> String {
    let k = known().lock().unwrap_or_else(|p| p.into_inner());
    let mut out: Option<String> = None;
    for forms in &k.secrets {
        let mut sorted: Vec<&Zeroizing<String>> = forms.iter().collect();
        sorted.sort_by_key(|f| std::cmp::Reverse(f.len()));
        for f in sorted {
            let cur = out.as_deref().unwrap_or(text);
            if cur.contains(f.as_str()) {
                out = Some(cur.replace(f.as_str(), "***"));
            }
        }
    }
    out.unwrap_or_else(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_its_content() {
        let s = Secret::new("vidb_supersecret");
        assert_eq!(format!("{s:?} {s} {:?}", Some(&s)), "*** *** Some(***)");
        assert_eq!(s.expose(), "vidb_supersecret");
    }

    #[test]
    fn remembered_secrets_are_scrubbed_in_every_echo_form() {
        let pw = "Pa'ss\"w<o>&rd\\ é/1";
        let _s = Secret::new(pw);
        let echoes = [
            pw.to_string(),
            r#"Pa'ss\"w<o>&rd\\ é/1"#.to_string(),
            r#"Pa'ss\"w<o>&rd\\ \u00e9\/1"#.to_string(),
            r#"Pa'ss\"w<o>&rd\\ \u00E9/1"#.to_string(),
            "Pa&apos;ss&quot;w&lt;o&gt;&amp;rd\\ é/1".to_string(),
            "Pa&#39;ss&#34;w&lt;o&gt;&amp;rd\\ é/1".to_string(),
            "Pa''ss\"w<o>&rd\\ é/1".to_string(),
            "Pa%27ss%22w%3Co%3E%26rd%5C+%C3%A9%2F1".to_string(),
            "Pa%27ss%22w%3Co%3E%26rd%5C%20%C3%A9%2F1".to_string(),
            "Pa%27ss%22w%3co%3e%26rd%5c+%c3%a9%2f1".to_string(),
            // a JSON body quoted in a JSON error, and in XML
            r#"Pa'ss\\\"w<o>&rd\\\\ é/1"#.to_string(),
            r#"Pa&apos;ss\&quot;w&lt;o&gt;&amp;rd\\ é/1"#.to_string(),
        ];
        for e in echoes {
            let text = format!("bad request: {e} (end)");
            assert_eq!(scrub_known(&text), "bad request: *** (end)", "{e}");
        }
        let _short = Secret::new("abc");
        assert_eq!(scrub_known("abc"), "abc", "too short to remember");
    }
}
