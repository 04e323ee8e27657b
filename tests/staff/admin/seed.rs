//! Many researchers seeded straight into the store, and what the dashboard should show
//! for them.

use idlink::store::{ConnectionStatus, LoadResearcher};
use orcid::OrcidId;

use crate::common::TestApp;

/// What the dashboard should show for one researcher, to check orders against.
#[derive(Clone)]
pub struct Expect {
    pub orcid: String,
    pub name: String,
    pub connected: i64,
    pub last_call: i64,
    pub status: &'static str,
}

pub const GIVEN: [&str; 12] = [
    "Ada", "beatriz", "Chen", "Dmitri", "Émile", "Fatima", "grace", "Hiro", "Inès", "José",
    "Kwame", "Lena",
];
pub const FAMILY: [&str; 12] = [
    "Lovelace", "Okafor", "de Vries", "Nakamura", "Müller", "O'Brien", "smith", "García", "Ng",
    "Kowalski", "Hopper", "Zhang",
];

/// `n` researchers with realistic, varied rows: iDs in the 0000-0002 block, repeated
/// names in mixed case, every status, some refreshes (some failed), writes and works.
pub fn load(n: usize, t0: i64) -> Vec<LoadResearcher> {
    (0..n)
        .map(|i| {
            let x = (i as u64).wrapping_mul(2_654_435_761) % 4_294_967_291;
            LoadResearcher {
                orcid: OrcidId::from_base_digits(20_000_000 + i as u64 * 173),
                name: format!(
                    "{} {}",
                    GIVEN[(x % 12) as usize],
                    FAMILY[(x / 12 % 12) as usize]
                ),
                connected_at: t0 + (x % 5_000_000) as i64,
                status: match i % 10 {
                    7 => ConnectionStatus::Revoked,
                    8 => ConnectionStatus::Expired,
                    9 => ConnectionStatus::Disconnected,
                    _ => ConnectionStatus::Active,
                },
                scope: if i % 2 == 0 {
                    "openid /read-limited /activities/update".into()
                } else {
                    "openid /read-limited".into()
                },
                works_added: if i % 7 == 0 { 2 } else { 0 },
                last_refresh: (i % 3 == 0).then(|| {
                    let error = (i % 6 == 0).then(|| "ORCID is busy right now.".to_string());
                    (t0 + (x % 7_000_000) as i64, error)
                }),
                last_write: (i % 5 == 0)
                    .then(|| (t0 + (x % 9_000_000) as i64, "add_work".into(), "ok".into())),
            }
        })
        .collect()
}

pub async fn expected(app: &TestApp, seeded: &[LoadResearcher], staff: &OrcidId) -> Vec<Expect> {
    let s = app.state.store.researcher(staff).await.unwrap().unwrap();
    let mut all: Vec<Expect> = seeded
        .iter()
        .map(|r| Expect {
            orcid: r.orcid.to_string(),
            name: r.name.clone(),
            connected: r.connected_at,
            last_call: r
                .last_refresh
                .as_ref()
                .map(|x| x.0)
                .max(r.last_write.as_ref().map(|x| x.0))
                .unwrap_or(0),
            status: r.status.slug(),
        })
        .collect();
    all.push(Expect {
        orcid: s.orcid.to_string(),
        name: s.name,
        connected: s.first_connected_at,
        last_call: 0,
        status: "active",
    });
    all
}

pub fn order(mut all: Vec<Expect>, sort: &str, desc: bool) -> Vec<String> {
    all.sort_by(|a, b| {
        let key = match sort {
            "name" => a
                .name
                .to_ascii_lowercase()
                .cmp(&b.name.to_ascii_lowercase()),
            "connected" => a.connected.cmp(&b.connected),
            _ => a.last_call.cmp(&b.last_call),
        };
        key.then(a.orcid.cmp(&b.orcid))
    });
    if desc {
        all.reverse();
    }
    all.into_iter().map(|e| e.orcid).collect()
}
