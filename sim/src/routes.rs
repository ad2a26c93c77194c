//! Route tables and the path matcher. Each API family declares its routes in one table at the top
//! of its module, each marked SEEN (shown in the source documents) or ASSUMED, so a path that turns
//! out to differ on a real appliance is corrected in one line. The template string doubles as the
//! key of the per-endpoint counters in `GET /_sim/stats`.

use crate::http::{HResult, Req};
use crate::world::{Ctx, World};

pub type Handler = fn(&mut World, &Ctx, &Req) -> HResult;

/// Where a route comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contract {
    /// Shown with request and response in the source documents.
    Seen,
    /// Not shown; taken from the public API of the product or inferred (api-contract.md).
    Assumed,
}

#[derive(Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    pub template: &'static str,
    pub contract: Contract,
    pub handler: Handler,
}

enum Seg {
    Lit(&'static str),
    Param,
}

pub struct Entry {
    pub route: Route,
    /// `"METHOD template"`, the stats key.
    pub key: String,
    segs: Vec<Seg>,
}

pub struct Router {
    entries: Vec<Entry>,
}

pub enum Match<'a> {
    Found(&'a Entry, Vec<String>),
    /// The path exists, the method does not: 405 (key is `"METHOD template"` of the first route).
    MethodNotAllowed(String),
    NotFound,
}

impl Router {
    pub fn new(tables: &[&[Route]]) -> Router {
        let mut entries = Vec::new();
        for t in tables {
            for r in t.iter() {
                let segs = r
                    .template
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        if s.starts_with('{') {
                            Seg::Param
                        } else {
                            Seg::Lit(s)
                        }
                    })
                    .collect();
                entries.push(Entry {
                    route: *r,
                    key: format!("{} {}", r.method, r.template),
                    segs,
                });
            }
        }
        Router { entries }
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Match a path; literal segments win over parameters whatever the table order.
    pub fn find(&self, method: &str, path: &str) -> Match<'_> {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut best: Option<(&Entry, usize)> = None;
        let mut path_exists: Option<&Entry> = None;
        for e in &self.entries {
            if e.segs.len() != parts.len() {
                continue;
            }
            let mut lits = 0;
            let ok = e.segs.iter().zip(&parts).all(|(s, p)| match s {
                Seg::Lit(l) => {
                    lits += 1;
                    l == p
                }
                Seg::Param => true,
            });
            if !ok {
                continue;
            }
            if e.route.method != method {
                path_exists.get_or_insert(e);
                continue;
            }
            if best.is_none_or(|(_, l)| lits > l) {
                best = Some((e, lits));
            }
        }
        match best {
            Some((e, _)) => {
                let params = e
                    .segs
                    .iter()
                    .zip(&parts)
                    .filter(|(s, _)| matches!(s, Seg::Param))
                    .map(|(_, p)| decode_path_segment(p))
                    .collect();
                Match::Found(e, params)
            }
            None => match path_exists {
                Some(e) => Match::MethodNotAllowed(format!("{method} {}", e.route.template)),
                None => Match::NotFound,
            },
        }
    }
}

fn decode_path_segment(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Resp;

    fn h(_: &mut World, _: &Ctx, _: &Req) -> HResult {
        Ok(Resp::no_content())
    }

    #[test]
    fn literal_beats_param() {
        const T: &[Route] = &[
            Route {
                method: "POST",
                template: "/a/{id}",
                contract: Contract::Assumed,
                handler: h,
            },
            Route {
                method: "POST",
                template: "/a/query",
                contract: Contract::Seen,
                handler: h,
            },
            Route {
                method: "GET",
                template: "/a/{id}",
                contract: Contract::Seen,
                handler: h,
            },
        ];
        let r = Router::new(&[T]);
        match r.find("POST", "/a/query") {
            Match::Found(e, p) => {
                assert_eq!(e.route.template, "/a/query");
                assert!(p.is_empty());
            }
            _ => panic!("no match"),
        }
        match r.find("GET", "/a/x%2Fy") {
            Match::Found(_, p) => assert_eq!(p, vec!["x/y".to_string()]),
            _ => panic!("no match"),
        }
        assert!(matches!(
            r.find("DELETE", "/a/1"),
            Match::MethodNotAllowed(_)
        ));
        assert!(matches!(r.find("GET", "/b"), Match::NotFound));
    }
}
