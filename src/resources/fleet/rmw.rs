//! Optimistic concurrency for a principal's role assignments.
//!
//! The API replaces a principal's whole set (`updateRoleAssignment`) and offers no conditional
//! write: no ETag, no `If-Match`, no version field (docs/dev/api-contract.md B6). Another writer
//! — a second Terraform state, a pipeline, a person in the UI — can change the set between the
//! provider's read and its write, and a blind write would undo that change (a revoked role
//! would come back). So every read-modify-write of the provider:
//!
//! 1. reads the set (S0) and applies the queued edits; when they change nothing, nothing is
//!    written;
//! 2. reads the set again right before writing and starts over from that read when it is no
//!    longer S0 (somebody else wrote in between);
//! 3. writes, reads the set once more, and starts over from that read when the edits are not in
//!    it (somebody else replaced the set right after the write). Changes another writer made
//!    after the write are in that read, so they are kept.
//!
//! It starts over at most [`MAX_ATTEMPTS`] − 1 times, each after a jittered backoff of the
//! provider's retry policy, and then fails naming the principal and what changed. A change
//! that lands between step 2's read and the write itself cannot be seen by any client of this
//! API; keeping each principal in one Terraform state is what avoids it.

use std::fmt;

use crate::client::error::OpContext;
use crate::client::{ApiError, ErrorKind};

use super::{AssignmentChange, AssignmentJson, Fleet};

/// Read-modify-write attempts on one principal before the provider gives up.
pub const MAX_ATTEMPTS: u32 = 5;

/// `set` with every edit applied, in order.
pub fn apply(set: &[AssignmentJson], edits: &[&AssignmentChange]) -> Vec<AssignmentJson> {
    let mut next = set.to_vec();
    for e in edits {
        e(&mut next);
    }
    next
}

/// One assignment as the provider compares them: role, scope, sorted resources, expiry.
/// UNCONFIRMED (docs/dev/api-contract.md B6): that the appliance keeps `expiresAt` exactly as
/// written. If it rounded it, the check after a write that sets an expiry would count the
/// rounding as another writer's change and give up after [`MAX_ATTEMPTS`].
type Key = (String, String, Vec<String>, Option<i64>);

fn keys(set: &[AssignmentJson]) -> Vec<Key> {
    let mut k: Vec<Key> = set
        .iter()
        .map(|a| {
            (
                a.role_name.clone(),
                a.role_scope.scope_type.clone(),
                a.resource_ids(),
                a.expires_at,
            )
        })
        .collect();
    k.sort();
    k.dedup();
    k
}

/// Whether two sets hold the same assignments (order and duplicates aside).
pub fn same_set(a: &[AssignmentJson], b: &[AssignmentJson]) -> bool {
    keys(a) == keys(b)
}

/// Whether `set` already holds what `edits` ask for: applying them changes nothing.
pub fn holds(set: &[AssignmentJson], edits: &[&AssignmentChange]) -> bool {
    same_set(&apply(set, edits), set)
}

/// A readable name of one assignment: `vcf_viewer at SSO_REALM`, `sddc_admin at VCF_INSTANCE
/// [a, b]`.
fn describe(a: &AssignmentJson) -> String {
    let ids = a.resource_ids();
    if ids.is_empty() {
        format!("{} at {}", a.role_name, a.role_scope.scope_type)
    } else {
        format!(
            "{} at {} [{}]",
            a.role_name,
            a.role_scope.scope_type,
            ids.join(", ")
        )
    }
}

/// What differs between two reads of one principal's set.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    pub removed: Vec<String>,
    pub added: Vec<String>,
    /// Same binding, another `expiresAt`.
    pub expiry: Vec<String>,
}

/// The changes from `before` to `after`, by binding (role and scope) and expiry.
pub fn changes(before: &[AssignmentJson], after: &[AssignmentJson]) -> Changes {
    let mut c = Changes::default();
    for a in before {
        match after.iter().find(|b| b.same_binding(a)) {
            None => c.removed.push(describe(a)),
            Some(b) if b.expires_at != a.expires_at => c.expiry.push(describe(a)),
            Some(_) => {}
        }
    }
    for b in after {
        if !before.iter().any(|a| a.same_binding(b)) {
            c.added.push(describe(b));
        }
    }
    for l in [&mut c.removed, &mut c.added, &mut c.expiry] {
        l.sort();
        l.dedup();
    }
    c
}

impl fmt::Display for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if !self.removed.is_empty() {
            parts.push(format!("removed {}", self.removed.join(", ")));
        }
        if !self.added.is_empty() {
            parts.push(format!("added {}", self.added.join(", ")));
        }
        if !self.expiry.is_empty() {
            parts.push(format!("changed the expiry of {}", self.expiry.join(", ")));
        }
        if parts.is_empty() {
            f.write_str("changed the set")
        } else {
            f.write_str(&parts.join("; "))
        }
    }
}

/// Why a read-modify-write starts over.
#[derive(Debug, PartialEq, Eq)]
pub enum Conflict {
    /// The set changed between the read the write was based on and the read right before it.
    BeforeWrite(Changes),
    /// Right after the write the set did not hold the edits: another writer replaced it.
    AfterWrite(Changes),
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Conflict::BeforeWrite(c) => write!(
                f,
                "between the provider's read and its write, another writer {c}"
            ),
            Conflict::AfterWrite(c) => write!(
                f,
                "right after the provider's write, another writer replaced the set ({c} \
                 compared with what the provider wrote)"
            ),
        }
    }
}

/// Step 2: the read right before the write must hold the set the write is based on.
pub fn before_write(
    based_on: &[AssignmentJson],
    reread: &[AssignmentJson],
) -> Result<(), Conflict> {
    if same_set(based_on, reread) {
        Ok(())
    } else {
        Err(Conflict::BeforeWrite(changes(based_on, reread)))
    }
}

/// Step 3: the read after the write must hold the edits. Anything else in it that differs from
/// what was written came from a later writer and is kept.
pub fn after_write(
    written: &[AssignmentJson],
    after: &[AssignmentJson],
    edits: &[&AssignmentChange],
) -> Result<(), Conflict> {
    if holds(after, edits) {
        Ok(())
    } else {
        Err(Conflict::AfterWrite(changes(written, after)))
    }
}

/// The error after the last attempt: names the principal, what changed, and the rule that
/// avoids it.
pub fn gave_up(realm: &str, principal: &str, attempts: u32, last: &Conflict) -> ApiError {
    ApiError::new(
        ErrorKind::Conflict,
        "Role assignments changed by another writer",
        format!(
            "The role assignments of principal {principal} (SSO realm {realm}) kept changing while \
             the provider was writing them: {last}. The API only replaces a principal's whole set \
             and offers no conditional write, so the provider re-reads the set before and after each \
             write and never overwrites a change it has seen; it gave up after {attempts} attempts. \
             Another Terraform state, a pipeline or a person is changing this principal's roles at \
             the same time: manage each principal's role assignments from one Terraform state only, \
             and run Terraform again once the other change is done."
        ),
    )
}

impl Fleet<'_> {
    /// Applies `edits` to `current` (a read of the principal's set) and writes the result when
    /// it differs, with the optimistic concurrency described in this module. Returns the set
    /// as the server holds it afterwards.
    pub async fn write_optimistic(
        &self,
        realm: &str,
        principal: &str,
        mut current: Vec<AssignmentJson>,
        edits: &[&AssignmentChange],
    ) -> Result<Vec<AssignmentJson>, ApiError> {
        let http = self.vcf.clients.http();
        let policy = *http.policy();
        let mut attempt = 1u32;
        loop {
            let next = apply(&current, edits);
            if same_set(&next, &current) {
                return Ok(current);
            }
            let reread = self.assignments(realm, principal).await?;
            let conflict = match before_write(&current, &reread) {
                Err(c) => {
                    current = reread;
                    c
                }
                Ok(()) => {
                    let empty = next.is_empty();
                    let mut after = self.put_assignments(realm, principal, next.clone()).await?;
                    if empty {
                        // The set was removed with DELETE, which answers nothing: read it back.
                        after = self.assignments(realm, principal).await?;
                    }
                    match after_write(&next, &after, edits) {
                        Ok(()) => return Ok(after),
                        Err(c) => {
                            current = after;
                            c
                        }
                    }
                }
            };
            if attempt >= MAX_ATTEMPTS {
                return Err(gave_up(realm, principal, attempt, &conflict));
            }
            let delay = policy.delay(attempt - 1, None, rand::random::<f64>());
            tracing::debug!(
                principal,
                attempt,
                delay_ms = delay.as_millis() as u64,
                conflict = %conflict,
                "role assignments changed by another writer; starting the read-modify-write over"
            );
            // Ctrl-C (StopProvider) ends the wait: nothing more is written.
            let op = OpContext {
                what: format!("write the role assignments of principal {principal}"),
                ..OpContext::default()
            };
            let last = gave_up(realm, principal, attempt, &conflict);
            http.backoff(delay, &format!("principal {principal}"), &op, &last)
                .await?;
            attempt += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::fleet::{ResourceRef, ScopeJson};

    fn a(role: &str) -> AssignmentJson {
        AssignmentJson {
            role_name: role.into(),
            role_scope: ScopeJson {
                scope_type: "SSO_REALM".into(),
                resources: vec![],
            },
            expires_at: None,
        }
    }

    fn on(role: &str, ids: &[&str]) -> AssignmentJson {
        AssignmentJson {
            role_name: role.into(),
            role_scope: ScopeJson {
                scope_type: "VCF_INSTANCE".into(),
                resources: ids
                    .iter()
                    .map(|i| ResourceRef { id: (*i).into() })
                    .collect(),
            },
            expires_at: None,
        }
    }

    fn add(role: &'static str) -> AssignmentChange {
        Box::new(move |set: &mut Vec<AssignmentJson>| {
            if !set.iter().any(|x| x.same_binding(&a(role))) {
                set.push(a(role));
            }
        })
    }

    fn remove(role: &'static str) -> AssignmentChange {
        Box::new(move |set: &mut Vec<AssignmentJson>| set.retain(|x| !x.same_binding(&a(role))))
    }

    #[test]
    fn sets_compare_without_order_and_with_expiry() {
        assert!(same_set(
            &[a("x"), on("y", &["2", "1"])],
            &[on("y", &["1", "2"]), a("x")]
        ));
        let mut e = a("x");
        e.expires_at = Some(5);
        assert!(!same_set(&[a("x")], &[e]));
        assert!(!same_set(&[a("x")], &[a("x"), a("y")]));
    }

    #[test]
    fn a_change_between_read_and_write_restarts_and_names_it() {
        // The other writer revoked vcf_operator after our read.
        let s0 = [a("vcf_viewer"), a("vcf_operator")];
        let s1 = [a("vcf_viewer")];
        let c = before_write(&s0, &s1).unwrap_err();
        assert_eq!(
            c,
            Conflict::BeforeWrite(Changes {
                removed: vec!["vcf_operator at SSO_REALM".into()],
                ..Changes::default()
            })
        );
        assert!(
            c.to_string()
                .contains("another writer removed vcf_operator at SSO_REALM"),
            "{c}"
        );
        // An addition, and the same set read twice.
        let c = before_write(&s1, &[a("vcf_viewer"), on("sddc_admin", &["i"])]).unwrap_err();
        assert!(
            c.to_string()
                .contains("added sddc_admin at VCF_INSTANCE [i]"),
            "{c}"
        );
        assert!(before_write(&s0, &[a("vcf_operator"), a("vcf_viewer")]).is_ok());
        // After the restart, the edit applies to the new read: the revocation stays.
        let edit = add("vcf_admin");
        assert!(same_set(
            &apply(&s1, &[&edit]),
            &[a("vcf_viewer"), a("vcf_admin")]
        ));
    }

    #[test]
    fn after_the_write_the_edits_must_be_there_and_later_changes_are_kept() {
        let edit = add("vcf_admin");
        let edits = [&edit];
        let written = [a("vcf_viewer"), a("vcf_admin")];
        // The server holds what was written.
        assert!(after_write(&written, &written, &edits).is_ok());
        // Another writer added a role after the write: ours is there, theirs is kept.
        assert!(after_write(&written, &[a("vcf_viewer"), a("vcf_admin"), a("x")], &edits).is_ok());
        // Another writer replaced the set with one read before our write: ours is gone.
        let c = after_write(&written, &[a("vcf_viewer")], &edits).unwrap_err();
        assert!(matches!(&c, Conflict::AfterWrite(ch) if ch.removed == ["vcf_admin at SSO_REALM"]));
        assert!(
            c.to_string().contains("right after the provider's write"),
            "{c}"
        );
        // A removal is "there" when the binding is absent.
        let gone = remove("vcf_viewer");
        assert!(after_write(&[a("vcf_admin")], &[a("vcf_admin")], &[&gone]).is_ok());
        assert!(after_write(&[a("vcf_admin")], &[a("vcf_viewer")], &[&gone]).is_err());
    }

    #[test]
    fn nothing_to_write_when_the_edits_are_already_there() {
        let edit = add("vcf_viewer");
        assert!(holds(&[a("vcf_viewer")], &[&edit]));
        assert!(!holds(&[], &[&edit]));
    }

    #[test]
    fn giving_up_names_principal_conflict_and_the_one_state_rule() {
        let c = Conflict::BeforeWrite(Changes {
            added: vec!["vcf_operator at SSO_REALM".into()],
            ..Changes::default()
        });
        let e = gave_up("r1", "p-42", MAX_ATTEMPTS, &c);
        assert_eq!(e.kind(), ErrorKind::Conflict);
        let t = e.to_string();
        for want in [
            "principal p-42",
            "SSO realm r1",
            "added vcf_operator at SSO_REALM",
            "gave up after 5 attempts",
            "one Terraform state",
        ] {
            assert!(t.contains(want), "{want}: {t}");
        }
    }
}
