//! One refresh of a record's works at a time, and none again within a short cooldown:
//! a burst of clicks or page views costs ORCID one read, not one each.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use orcid::OrcidId;
use tokio::time::Instant;

/// Why a refresh did not start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotNow {
    /// One is running for this record.
    Running,
    /// One finished a moment ago; the next may start after `wait`.
    Recent { wait: Duration },
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    Running,
    FinishedAt(Instant),
}

pub struct RefreshGate {
    cooldown: Duration,
    slots: Mutex<Slots>,
}

struct Slots {
    by_record: HashMap<OrcidId, Slot>,
    /// Size at which finished entries past their cooldown are swept out.
    sweep_at: usize,
}

const FIRST_SWEEP: usize = 256;

impl RefreshGate {
    pub fn new(cooldown: Duration) -> Self {
        Self {
            cooldown,
            slots: Mutex::new(Slots {
                by_record: HashMap::new(),
                sweep_at: FIRST_SWEEP,
            }),
        }
    }

    /// The map holds plain values, so a poisoned lock still holds a usable one.
    fn lock(&self) -> MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Claims the record for a refresh; the claim ends (and the cooldown starts) when
    /// the returned pass is dropped, however the refresh ends.
    pub fn start(self: &Arc<Self>, record: OrcidId) -> Result<Pass, NotNow> {
        let mut slots = self.lock();
        let now = Instant::now();
        match slots.by_record.get(&record) {
            Some(Slot::Running) => return Err(NotNow::Running),
            Some(Slot::FinishedAt(at)) if now.duration_since(*at) < self.cooldown => {
                return Err(NotNow::Recent {
                    wait: self.cooldown - now.duration_since(*at),
                });
            }
            _ => {}
        }
        slots.by_record.insert(record, Slot::Running);
        if slots.by_record.len() >= slots.sweep_at {
            let cooldown = self.cooldown;
            slots.by_record.retain(|_, slot| match slot {
                Slot::Running => true,
                Slot::FinishedAt(at) => now.duration_since(*at) < cooldown,
            });
            slots.sweep_at = (slots.by_record.len() * 2).max(FIRST_SWEEP);
        }
        Ok(Pass {
            gate: self.clone(),
            record,
            read: true,
        })
    }
}

/// A running refresh of one record.
pub struct Pass {
    gate: Arc<RefreshGate>,
    record: OrcidId,
    /// Whether ORCID was asked: only then does a cooldown follow.
    read: bool,
}

impl Pass {
    /// The refresh ends without asking ORCID (idlink's own limits held it back): the
    /// next one need not wait out a cooldown.
    pub fn unread(mut self) {
        self.read = false;
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        let mut slots = self.gate.lock();
        if self.read {
            slots
                .by_record
                .insert(self.record, Slot::FinishedAt(Instant::now()));
        } else {
            slots.by_record.remove(&self.record);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> OrcidId {
        OrcidId::parse("0000-0002-1825-0097").unwrap()
    }

    #[test]
    fn one_at_a_time_then_a_cooldown() {
        let gate = Arc::new(RefreshGate::new(Duration::from_secs(10)));
        let pass = gate.start(id()).expect("the first starts");
        assert_eq!(gate.start(id()).err(), Some(NotNow::Running));
        drop(pass);
        let Err(NotNow::Recent { wait }) = gate.start(id()) else {
            panic!("within the cooldown");
        };
        assert!(wait > Duration::from_secs(9) && wait <= Duration::from_secs(10));
    }

    #[test]
    fn no_cooldown_after_a_refresh_held_back() {
        let gate = Arc::new(RefreshGate::new(Duration::from_secs(10)));
        gate.start(id()).unwrap().unread();
        assert!(gate.start(id()).is_ok());
    }

    #[test]
    fn entries_past_their_cooldown_are_swept() {
        let gate = Arc::new(RefreshGate::new(Duration::ZERO));
        for n in 0..FIRST_SWEEP as u64 * 3 {
            drop(gate.start(OrcidId::from_base_digits(n)).unwrap());
        }
        assert!(gate.lock().by_record.len() < FIRST_SWEEP);
        drop(gate.start(id()).unwrap());
        assert!(
            gate.start(id()).is_ok(),
            "a zero cooldown only keeps one at a time"
        );
    }
}
