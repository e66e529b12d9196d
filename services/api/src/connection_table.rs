//! [`ConnectionTable`]: which connections are open, per client, and which one gives way when
//! the server is full.
//!
//! Invariant: admitted connections never exceed the cap, in total or per client. When the total
//! is reached, the longest-open connection with no request in flight is closed for the new one
//! (slow or idle sockets cannot keep a fresh client, such as a health check, out); a connection
//! with a request in flight is never closed this way.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::Notify;

/// The address a per-client limit counts under: the IPv4 address, or the /64 prefix of an IPv6
/// one (a single host usually holds a whole /64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ClientKey(IpAddr);

impl ClientKey {
    pub(crate) fn of(address: IpAddr) -> Self {
        match address {
            IpAddr::V4(v4) => ClientKey(IpAddr::V4(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientKey(IpAddr::V4(v4)),
                None => {
                    let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                    ClientKey(IpAddr::V6(prefix.into()))
                }
            },
        }
    }
}

/// Why a connection was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The client already holds its share of connections.
    ClientFull,
    /// The server is full and every connection has a request in flight.
    AllBusy,
}

/// One open connection: its requests in flight and whether it was told to close.
#[derive(Debug)]
pub(crate) struct ConnectionSlot {
    id: u64,
    client: ClientKey,
    requests_in_flight: AtomicUsize,
    evicted: AtomicBool,
    eviction: Notify,
}

impl ConnectionSlot {
    /// Whether a request of this connection is being handled.
    pub(crate) fn is_busy(&self) -> bool {
        self.requests_in_flight.load(Ordering::Acquire) > 0
    }

    /// Marks one request in flight until the returned guard is dropped.
    pub(crate) fn request_started(self: &Arc<Self>) -> RequestInFlight {
        self.requests_in_flight.fetch_add(1, Ordering::AcqRel);
        RequestInFlight(self.clone())
    }

    /// Completes once the table closed this connection to make room for another.
    pub(crate) async fn evicted(&self) {
        self.eviction.notified().await;
    }
}

/// A request in flight on a connection; dropping it ends the request.
#[derive(Debug)]
pub(crate) struct RequestInFlight(Arc<ConnectionSlot>);

impl Drop for RequestInFlight {
    fn drop(&mut self) {
        self.0.requests_in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Open connections, capped in total and per client.
#[derive(Debug)]
pub(crate) struct ConnectionTable {
    max_connections: usize,
    max_per_client: Option<usize>,
    state: Mutex<TableState>,
}

#[derive(Debug, Default)]
struct TableState {
    next_id: u64,
    /// Open connections by id, so the first entry is the longest-open one.
    open: BTreeMap<u64, Arc<ConnectionSlot>>,
    per_client: HashMap<ClientKey, usize>,
}

impl TableState {
    fn remove(&mut self, id: u64) -> Option<Arc<ConnectionSlot>> {
        let slot = self.open.remove(&id)?;
        if let Some(count) = self.per_client.get_mut(&slot.client) {
            *count -= 1;
            if *count == 0 {
                self.per_client.remove(&slot.client);
            }
        }
        Some(slot)
    }
}

impl ConnectionTable {
    /// A table admitting `max_connections` in total and `max_per_client` per client (`None`:
    /// no per-client limit).
    pub(crate) fn new(max_connections: usize, max_per_client: Option<usize>) -> Arc<Self> {
        Arc::new(ConnectionTable {
            max_connections: max_connections.max(1),
            max_per_client,
            state: Mutex::new(TableState::default()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, TableState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Admits a connection of `client`, closing the longest-open idle connection when the
    /// table is full; the slot leaves the table when the returned guard is dropped.
    pub(crate) fn admit(self: &Arc<Self>, client: IpAddr) -> Result<AdmittedConnection, Refusal> {
        let client = ClientKey::of(client);
        let mut state = self.lock();
        let client_count = state.per_client.get(&client).copied().unwrap_or(0);
        if self.max_per_client.is_some_and(|max| client_count >= max) {
            return Err(Refusal::ClientFull);
        }
        if state.open.len() >= self.max_connections {
            let idle_id = state
                .open
                .values()
                .find(|slot| !slot.is_busy())
                .map(|slot| slot.id)
                .ok_or(Refusal::AllBusy)?;
            if let Some(evicted) = state.remove(idle_id) {
                evicted.evicted.store(true, Ordering::Release);
                evicted.eviction.notify_one();
            }
        }
        let id = state.next_id;
        state.next_id += 1;
        let slot = Arc::new(ConnectionSlot {
            id,
            client,
            requests_in_flight: AtomicUsize::new(0),
            evicted: AtomicBool::new(false),
            eviction: Notify::new(),
        });
        state.open.insert(id, slot.clone());
        *state.per_client.entry(client).or_insert(0) += 1;
        Ok(AdmittedConnection {
            table: self.clone(),
            slot,
        })
    }

    /// Connections open now.
    #[cfg(test)]
    fn open_connections(&self) -> usize {
        self.lock().open.len()
    }
}

/// An admitted connection; dropping it frees its place.
#[derive(Debug)]
pub(crate) struct AdmittedConnection {
    table: Arc<ConnectionTable>,
    slot: Arc<ConnectionSlot>,
}

impl AdmittedConnection {
    pub(crate) fn slot(&self) -> &Arc<ConnectionSlot> {
        &self.slot
    }
}

impl Drop for AdmittedConnection {
    fn drop(&mut self) {
        if !self.slot.evicted.load(Ordering::Acquire) {
            self.table.lock().remove(self.slot.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    use super::{ClientKey, ConnectionTable, Refusal};

    fn v4(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
    }

    #[test]
    fn a_client_past_its_share_is_refused_while_others_are_admitted() {
        let table = ConnectionTable::new(10, Some(2));
        let _first = table.admit(v4(2)).unwrap();
        let _second = table.admit(v4(2)).unwrap();
        assert_eq!(table.admit(v4(2)).unwrap_err(), Refusal::ClientFull);
        let _other = table.admit(v4(3)).unwrap();
        assert_eq!(table.open_connections(), 3);
    }

    #[test]
    fn a_full_table_closes_the_longest_open_idle_connection_and_never_a_busy_one() {
        let table = ConnectionTable::new(2, None);
        let busy = table.admit(v4(2)).unwrap();
        let _request = busy.slot().request_started();
        let idle = table.admit(v4(3)).unwrap();
        let newest = table.admit(v4(4)).unwrap();
        assert!(
            idle.slot()
                .evicted
                .load(std::sync::atomic::Ordering::Acquire)
        );
        assert!(
            !busy
                .slot()
                .evicted
                .load(std::sync::atomic::Ordering::Acquire)
        );
        assert_eq!(table.open_connections(), 2);
        drop(idle);
        assert_eq!(
            table.open_connections(),
            2,
            "an evicted slot is not removed twice"
        );
        let _also_busy = newest.slot().request_started();
        assert_eq!(table.admit(v4(5)).unwrap_err(), Refusal::AllBusy);
    }

    #[test]
    fn places_are_freed_when_connections_close() {
        let table = ConnectionTable::new(1, Some(1));
        let first = table.admit(v4(2)).unwrap();
        drop(first);
        assert_eq!(table.open_connections(), 0);
        let _again = table.admit(v4(2)).unwrap();
    }

    #[test]
    fn ipv6_clients_count_per_64_prefix_and_mapped_ipv4_as_ipv4() {
        let a: Ipv6Addr = "2001:db8:1:2::1".parse().unwrap();
        let b: Ipv6Addr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: Ipv6Addr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(ClientKey::of(a.into()), ClientKey::of(b.into()));
        assert_ne!(ClientKey::of(a.into()), ClientKey::of(c.into()));
        let mapped: Ipv6Addr = "::ffff:127.0.0.2".parse().unwrap();
        assert_eq!(ClientKey::of(mapped.into()), ClientKey::of(v4(2)));
    }
}
