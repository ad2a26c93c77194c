//! What the fleet's ephemeral resources (`vcf_access_token`, `vcf_temporary_api_token`) share:
//! the private data Terraform carries from Open to Renew and Close, and the instances this
//! provider process opened and has not closed yet.
//!
//! Private data names an instance (a handle, a token id), never a secret: Terraform keeps it in
//! its own memory and may log it. What an instance needs beyond its name stays in this
//! process, in an [`OpenInstances`].

use std::sync::{Mutex, MutexGuard};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The private data that names an opened instance: `p` as JSON.
pub fn to_private<P: Serialize>(p: &P) -> Option<Vec<u8>> {
    serde_json::to_vec(p).ok()
}

/// The instance that private data written by [`to_private`] names; None when Terraform sent
/// none (or something this provider did not write).
pub fn from_private<P: DeserializeOwned>(private: Option<&[u8]>) -> Option<P> {
    serde_json::from_slice(private?).ok()
}

/// The instances of one ephemeral type that this process opened and has not closed, in the
/// order they were opened: each under the key its private data names, with what this process
/// keeps for it.
#[derive(Debug)]
pub struct OpenInstances<K, V = ()> {
    open: Mutex<Vec<(K, V)>>,
}

impl<K, V> Default for OpenInstances<K, V> {
    fn default() -> Self {
        OpenInstances {
            open: Mutex::new(Vec::new()),
        }
    }
}

impl<K: PartialEq, V: Clone> OpenInstances<K, V> {
    /// The list; a panic of another holder of the lock leaves it usable (it holds no invariant
    /// across entries).
    fn list(&self) -> MutexGuard<'_, Vec<(K, V)>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes an opened instance.
    pub fn opened(&self, key: K, value: V) {
        self.list().push((key, value));
    }

    /// What this process keeps for the open instance `key`; None when it did not open it (or
    /// closed it).
    pub fn get(&self, key: &K) -> Option<V> {
        self.list()
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    /// Forgets the instance `key`.
    pub fn closed(&self, key: &K) {
        self.list().retain(|(k, _)| k != key);
    }

    /// Forgets every open instance and returns them, in the order they were opened.
    pub fn take_all(&self) -> Vec<(K, V)> {
        std::mem::take(&mut *self.list())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Named {
        id: String,
    }

    #[test]
    fn private_data_round_trips_and_refuses_what_it_did_not_write() {
        let p = to_private(&Named { id: "i".into() }).unwrap();
        assert_eq!(p, br#"{"id":"i"}"#);
        assert_eq!(
            from_private::<Named>(Some(&p)),
            Some(Named { id: "i".into() })
        );
        assert_eq!(from_private::<Named>(None), None);
        assert_eq!(from_private::<Named>(Some(b"x")), None);
    }

    #[test]
    fn open_instances_are_kept_until_closed_in_order() {
        let open = OpenInstances::<String, u8>::default();
        open.opened("a".into(), 1);
        open.opened("b".into(), 2);
        open.opened("c".into(), 3);
        assert_eq!(open.get(&"b".into()), Some(2));
        open.closed(&"b".into());
        assert_eq!(open.get(&"b".into()), None);
        assert_eq!(
            open.take_all(),
            vec![("a".to_string(), 1), ("c".to_string(), 3)]
        );
        assert_eq!(open.take_all(), Vec::new());
    }
}
