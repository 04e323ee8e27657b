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
    /// One finished `ago`; the next may start after `wait`.
    Recent { ago: Duration, wait: Duration },
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
                let ago = now.duration_since(*at);
                return Err(NotNow::Recent {
                    ago,
                    wait: self.cooldown - ago,
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
        })
    }
}

/// A running refresh of one record.
pub struct Pass {
    gate: Arc<RefreshGate>,
    record: OrcidId,
}

impl Drop for Pass {
    fn drop(&mut self) {
        let mut slots = self.gate.lock();
        slots
            .by_record
            .insert(self.record, Slot::FinishedAt(Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> OrcidId {
        OrcidId::parse("0000-0002-1825-0097").unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn one_at_a_time_then_a_cooldown() {
        let gate = Arc::new(RefreshGate::new(Duration::from_secs(10)));
        let pass = gate.start(id()).expect("the first starts");
        assert_eq!(gate.start(id()).err(), Some(NotNow::Running));
        drop(pass);
        tokio::time::advance(Duration::from_secs(4)).await;
        assert_eq!(
            gate.start(id()).err(),
            Some(NotNow::Recent {
                ago: Duration::from_secs(4),
                wait: Duration::from_secs(6)
            })
        );
        tokio::time::advance(Duration::from_secs(6)).await;
        assert!(gate.start(id()).is_ok(), "after the cooldown");
    }

    #[tokio::test(start_paused = true)]
    async fn old_entries_are_swept() {
        let gate = Arc::new(RefreshGate::new(Duration::from_secs(1)));
        for n in 0..FIRST_SWEEP as u64 {
            let record = OrcidId::from_base_digits(n);
            drop(gate.start(record).unwrap());
        }
        tokio::time::advance(Duration::from_secs(2)).await;
        drop(gate.start(id()).unwrap());
        assert!(gate.lock().by_record.len() < FIRST_SWEEP);
    }
}
