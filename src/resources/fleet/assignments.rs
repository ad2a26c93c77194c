//! Role assignments of one principal: fresh reads, and writes batched per principal (the API
//! only replaces the whole set).

use crate::client::{ApiError, Call};

use super::*;

impl Fleet<'_> {
    /// The principal's role assignments, always fresh (writes read right before they write).
    pub async fn assignments(
        &self,
        realm: &str,
        principal: &str,
    ) -> Result<Vec<AssignmentJson>, ApiError> {
        self.api
            .json::<AssignmentsJson>(
                Call::get(paths::fill(paths::PRINCIPAL_ROLES, &[realm, principal]))
                    .success(&[200])
                    .what(format!(
                        "read the role assignments of principal {principal}"
                    )),
            )
            .await
            .map(|a| a.vcf_role_assignments)
    }

    /// Applies `change` to the principal's assignment set: queued behind other writers of this
    /// process, read right before the write, written only when something changed. Returns the
    /// set as the server stored it.
    pub async fn modify_assignments(
        &self,
        realm: &str,
        principal: &str,
        change: AssignmentChange,
    ) -> Outcome {
        let q = self.state().principal_queue(realm, principal);
        let (tx, mut rx) = tokio::sync::oneshot::channel();
        q.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Job { change, done: tx });
        {
            let _held = q.write.lock().await;
            // A previous holder may have applied this edit with its own (holders answer every
            // edit they took before they let go of the lock).
            if let Ok(done) = rx.try_recv() {
                return done;
            }
            self.apply_pending(realm, principal, &q).await;
        }
        rx.await.unwrap_or_else(|_| {
            Err(ApiError::new(
                crate::client::ErrorKind::Transport,
                "Role assignment write abandoned",
                format!("The write of principal {principal}'s role assignments was abandoned; run Terraform again."),
            ))
        })
    }

    /// Applies every queued edit of the principal with one read and (when something changed)
    /// one write. Edits queued while the read is in flight join the same write: they are
    /// applied to the set that read returned, so they too are based on a read made under the
    /// lock.
    async fn apply_pending(&self, realm: &str, principal: &str, q: &PrincipalQueue) {
        let take = || std::mem::take(&mut *q.pending.lock().unwrap_or_else(|p| p.into_inner()));
        let mut jobs = take();
        let current = match self.assignments(realm, principal).await {
            Ok(c) => c,
            Err(e) => {
                for j in jobs {
                    let _ = j.done.send(Err(e.clone()));
                }
                return;
            }
        };
        jobs.extend(take());
        let together = self
            .write_changes(realm, principal, current, jobs.iter().map(|j| &j.change))
            .await;
        match together {
            // The server refused the combined set: one edit may be at fault, so each gets its
            // own read and write and its own answer.
            Err(e) if jobs.len() > 1 && e.status() == Some(400) => {
                for j in jobs {
                    let r = match self.assignments(realm, principal).await {
                        Ok(current) => {
                            self.write_changes(
                                realm,
                                principal,
                                current,
                                std::iter::once(&j.change),
                            )
                            .await
                        }
                        Err(e) => Err(e),
                    };
                    let _ = j.done.send(r);
                }
            }
            r => {
                for j in jobs {
                    let _ = j.done.send(r.clone());
                }
            }
        }
    }

    /// Applies `changes` to `current` (as just read) and writes the result when it differs,
    /// re-reading before and after the write so that no change of another writer is undone
    /// ([`rmw`]).
    async fn write_changes<'c>(
        &self,
        realm: &str,
        principal: &str,
        current: Vec<AssignmentJson>,
        changes: impl Iterator<Item = &'c AssignmentChange>,
    ) -> Outcome {
        let edits: Vec<&AssignmentChange> = changes.collect();
        self.write_optimistic(realm, principal, current, &edits)
            .await
    }

    /// The principal's role assignments for a refresh: one GET per principal serves every
    /// `vcf_role_assignment` of it in the process, until a write to the principal.
    pub async fn cached_assignments(
        &self,
        realm: &str,
        principal: &str,
    ) -> Result<Vec<AssignmentJson>, ApiError> {
        self.state()
            .assignment_reads
            .get(&format!("{realm}/{principal}"), || {
                self.assignments(realm, principal)
            })
            .await
    }

    /// Replaces the principal's whole assignment set (authoritative) under the principal's write
    /// lock, so after any edits of this process queued before it; returns the set as the server
    /// then reads it.
    pub async fn replace_assignments(
        &self,
        realm: &str,
        principal: &str,
        list: Vec<AssignmentJson>,
    ) -> Result<Vec<AssignmentJson>, ApiError> {
        let queue = self.state().principal_queue(realm, principal);
        let _held = queue.write.lock().await;
        self.put_assignments(realm, principal, list).await
    }

    /// The principals a list resource looks at, as (principal, label): the configured
    /// `principal` alone (labelled by itself), else every API client of the realm (its
    /// `client_uuid`, labelled by its `client_id`), all pages read first.
    pub async fn listed_principals(
        &self,
        realm: &str,
        principal: Option<&str>,
    ) -> Result<Vec<(String, String)>, ApiError> {
        Ok(match principal {
            Some(p) => vec![(p.to_string(), p.to_string())],
            None => labelled(self.all_clients(realm).await?),
        })
    }

    /// [`listed_principals`](Self::listed_principals) one page at a time: page `page` (0-based)
    /// and whether another page may follow.
    pub async fn principals_page(
        &self,
        realm: &str,
        principal: Option<&str>,
        page: i64,
    ) -> Result<(Vec<(String, String)>, bool), ApiError> {
        Ok(match principal {
            Some(p) => (vec![(p.to_string(), p.to_string())], false),
            None => {
                let (clients, more) = self.clients_page(realm, None, page).await?;
                (labelled(clients), more)
            }
        })
    }

    /// Replaces the principal's whole assignment set and returns the set as the server then
    /// reads it. The PUT (`updateRoleAssignment`) answers 200 with no body, so the set is read
    /// again with a GET; an empty set is written with `deleteRoleAssignments` (204), which
    /// removes every assignment of the principal.
    pub async fn put_assignments(
        &self,
        realm: &str,
        principal: &str,
        list: Vec<AssignmentJson>,
    ) -> Result<Vec<AssignmentJson>, ApiError> {
        let path = paths::fill(paths::PRINCIPAL_ROLES, &[realm, principal]);
        let call = if list.is_empty() {
            Call::delete(path)
                .success(&[204])
                .what(format!(
                    "remove all role assignments of principal {principal}"
                ))
                .needs_role(WRITE_ROLE)
        } else {
            Call::put(path)
                .success(&[200])
                .json(&AssignmentsJson {
                    vcf_role_assignments: list.clone(),
                })
                .idempotent(true)
                .what(format!(
                    "write the role assignments of principal {principal}"
                ))
                .needs_role(WRITE_ROLE)
        };
        let written = self.api.call(call).await;
        // After the write, so that no read made during it stays cached.
        self.state().invalidate_assignments(realm, principal);
        written?;
        if list.is_empty() {
            return Ok(Vec::new());
        }
        self.assignments(realm, principal).await
    }
}

/// API clients as (principal, label) pairs: `client_uuid` labelled by `client_id`.
fn labelled(clients: Vec<ClientJson>) -> Vec<(String, String)> {
    clients
        .into_iter()
        .map(|c| (c.client_uuid, c.client_id))
        .collect()
}
