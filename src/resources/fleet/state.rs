//! What the fleet resources share inside one provider process: per-principal write locks for
//! role assignments, the token snapshot that lets one paged query serve every token read of a
//! plan, and the server's clock.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use crate::client::{ApiError, Response};
use crate::resources::rotating::ServerClock;
use crate::resources::shared::{REFRESH_MAX_AGE, SharedReads};

use super::*;

// ---------------------------------------------------------------------------------------------
// Shared state

/// One edit of a principal's assignment set (add, replace or remove this resource's entry).
pub type AssignmentChange = Box<dyn Fn(&mut Vec<AssignmentJson>) + Send + Sync>;
pub(super) type Outcome = Result<Vec<AssignmentJson>, ApiError>;

pub(super) struct Job {
    pub(super) change: AssignmentChange,
    pub(super) done: tokio::sync::oneshot::Sender<Outcome>,
}

/// Serialises the writes to one principal's assignments inside the process (the API only
/// replaces the whole set). Writers queue their edit, then take `write`; the holder applies every
/// queued edit with one read and one write, so N concurrent resources on one principal cost a
/// few round trips rather than N.
#[derive(Default)]
pub struct PrincipalQueue {
    /// Held for every write to the principal, including authoritative whole-set writes.
    pub write: tokio::sync::Mutex<()>,
    pub(super) pending: Mutex<Vec<Job>>,
}

/// State the fleet resources share within one provider process.
pub struct FleetState {
    pub(super) realms: tokio::sync::OnceCell<Vec<RealmJson>>,
    /// The fleet's VCF roles, until a custom role changes in this process.
    pub(super) roles: SharedReads<Vec<RoleJson>>,
    /// Each component type's role names (component role summaries).
    pub(super) component_roles: SharedReads<Vec<String>>,
    /// The IAM settings (`GET /settings`), read once per process.
    pub(super) settings: tokio::sync::OnceCell<SettingsJson>,
    pub(super) principals: Mutex<HashMap<String, Arc<PrincipalQueue>>>,
    /// Each API client's tokens as one paged query saw them, by `<realm>/<client id>`.
    pub(super) tokens: SharedReads<Arc<Vec<TokenJson>>>,
    /// Role assignments as refresh read them, by `<realm>/<principal>`.
    pub(super) assignment_reads: SharedReads<Vec<AssignmentJson>>,
    /// The operations server's clock, from the last `Date` header seen.
    pub(super) clock: ServerClock,
    /// Token refresh without the per-client query: every token is read with its own GET.
    pub(super) single_token_reads: bool,
    /// Names of custom roles planned in this run: assignments of them planned later
    /// in the same run (Terraform plans dependencies first) are not "unknown roles".
    pub(super) planned_roles: Mutex<std::collections::HashSet<String>>,
}

impl fmt::Debug for FleetState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FleetState")
    }
}

impl FleetState {
    /// Shared state; `batched_token_reads` false makes every token read its own GET.
    pub fn new(batched_token_reads: bool) -> Self {
        FleetState {
            realms: tokio::sync::OnceCell::new(),
            roles: SharedReads::until_forgotten(),
            component_roles: SharedReads::aged(REFRESH_MAX_AGE),
            settings: tokio::sync::OnceCell::new(),
            principals: Mutex::default(),
            tokens: SharedReads::aged(REFRESH_MAX_AGE),
            assignment_reads: SharedReads::aged(REFRESH_MAX_AGE),
            clock: ServerClock::default(),
            single_token_reads: !batched_token_reads,
            planned_roles: Mutex::default(),
        }
    }

    /// Remembers the server's clock from an answer's `Date` header.
    pub fn note_server_date(&self, resp: &Response) {
        self.clock.note(resp.header("date"));
    }

    /// Now, by the server's clock when an answer told it (token expiry is the server's
    /// judgement), else by the local clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The write queue of one principal's role assignments.
    pub fn principal_queue(&self, realm: &str, principal: &str) -> Arc<PrincipalQueue> {
        let key = format!("{realm}/{principal}");
        let mut m = self.principals.lock().unwrap_or_else(|p| p.into_inner());
        m.entry(key).or_default().clone()
    }

    /// Forgets the shared token list of one client (after a create, regenerate or delete).
    pub fn invalidate_tokens(&self, realm: &str, client_id: &str) {
        self.tokens.forget(&format!("{realm}/{client_id}"));
    }

    /// Forgets what refresh read of one principal's assignments (after a write to it).
    pub fn invalidate_assignments(&self, realm: &str, principal: &str) {
        self.assignment_reads
            .forget(&format!("{realm}/{principal}"));
    }
}
