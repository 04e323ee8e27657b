//! Bulk seeding of researchers for load tests and benchmarks (e.g. 50,000 at once), in
//! one transaction. Compiled only for tests and the `load-seed` feature (which the tests
//! and benchmarks turn on), never into the release binary. Tokens are really encrypted with the store's cipher; their plain text
//! is a placeholder (`load-test-access-<iD>`) that ORCID would never accept.

use secrecy::SecretString;
use sqlx::{QueryBuilder, Sqlite, Transaction};

use crate::store::{now, ConnectionStatus, Store, TokenStatus};
use orcid::OrcidId;

/// Rows per multi-row INSERT (at most 8 values each: far below SQLite's bind limit).
const CHUNK: usize = 500;

/// ORCID's access tokens last about 20 years.
const TOKEN_LIFE_SECS: i64 = 20 * 365 * 24 * 3600;

/// One researcher to seed, in the state the dashboard should show.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct LoadResearcher {
    pub orcid: OrcidId,
    pub name: String,
    pub connected_at: i64,
    pub status: ConnectionStatus,
    /// Space-separated scopes of the grant (ignored when disconnected).
    pub scope: String,
    /// Placeholder works idlink added that are still on the record.
    pub works_added: u32,
    /// A works refresh at this time; `Some(message)` if it failed.
    pub last_refresh: Option<(i64, Option<String>)>,
    /// A write the researcher made: (at, action, outcome), as the audit log records it.
    pub last_write: Option<(i64, String, String)>,
}

impl Store {
    /// Inserts many researchers (with tokens, refresh results, audit entries and works as
    /// asked) in one transaction. For tests and benchmarks only: the iDs must be new.
    #[doc(hidden)]
    pub async fn insert_researchers_for_load(
        &self,
        rows: &[LoadResearcher],
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for chunk in rows.chunks(CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO researchers (orcid, name, is_staff, first_connected_at, last_signed_in_at, disconnected_at) ",
            );
            q.push_values(chunk, |mut b, r| {
                let gone =
                    (r.status == ConnectionStatus::Disconnected).then_some(r.connected_at + 60);
                b.push_bind(r.orcid)
                    .push_bind(&r.name)
                    .push_bind(0i64)
                    .push_bind(r.connected_at)
                    .push_bind(r.connected_at)
                    .push_bind(gone);
            });
            q.build().execute(&mut *tx).await?;
        }
        self.seed_tokens(&mut tx, rows).await?;
        seed_activity(&mut tx, rows).await?;
        tx.commit().await
    }

    /// Token rows, encrypted with the store's cipher under the same per-record contexts
    /// as `tokens.rs` (the round-trip test below reads them back through `Store::tokens`),
    /// inserted many to a statement: one statement per researcher took seconds.
    async fn seed_tokens(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
        rows: &[LoadResearcher],
    ) -> Result<(), sqlx::Error> {
        let expired_at = now() - 3600;
        let connected: Vec<&LoadResearcher> = rows
            .iter()
            .filter(|r| r.status != ConnectionStatus::Disconnected)
            .collect();
        for chunk in connected.chunks(CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO orcid_tokens (orcid, access_token, refresh_token, scope, expires_at, status, created_at, updated_at) ",
            );
            q.push_values(chunk, |mut b, r| {
                let secret =
                    |which: &str| SecretString::from(format!("load-test-{which}-{}", r.orcid));
                let access = self
                    .cipher
                    .encrypt(&secret("access"), &format!("{}/access", r.orcid));
                let refresh = self
                    .cipher
                    .encrypt(&secret("refresh"), &format!("{}/refresh", r.orcid));
                b.push_bind(r.orcid)
                    .push_bind(access)
                    .push_bind(refresh)
                    .push_bind(r.scope.clone())
                    .push_bind(match r.status {
                        ConnectionStatus::Expired => expired_at,
                        _ => r.connected_at + TOKEN_LIFE_SECS,
                    })
                    .push_bind(if r.status == ConnectionStatus::Revoked {
                        TokenStatus::Revoked
                    } else {
                        TokenStatus::Active
                    })
                    .push_bind(r.connected_at)
                    .push_bind(r.connected_at);
            });
            q.build().execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// The refresh results, audit entries and placeholder works of the seeded researchers.
async fn seed_activity(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    rows: &[LoadResearcher],
) -> Result<(), sqlx::Error> {
    let refreshes: Vec<_> = rows
        .iter()
        .filter_map(|r| r.last_refresh.as_ref().map(|x| (r, x)))
        .collect();
    for chunk in refreshes.chunks(CHUNK) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO works_sync (orcid, synced_at, attempted_at, last_error) ",
        );
        q.push_values(chunk, |mut b, (r, (at, error))| {
            b.push_bind(r.orcid)
                .push_bind(error.is_none().then_some(*at))
                .push_bind(*at)
                .push_bind(error.clone());
        });
        q.build().execute(&mut **tx).await?;
    }
    let writes: Vec<_> = rows
        .iter()
        .filter_map(|r| r.last_write.as_ref().map(|x| (r, x)))
        .collect();
    for chunk in writes.chunks(CHUNK) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO audit_log (at, actor, orcid, action, outcome) ",
        );
        q.push_values(chunk, |mut b, (r, (at, action, outcome))| {
            b.push_bind(*at)
                .push_bind(r.orcid)
                .push_bind(r.orcid)
                .push_bind(action.clone())
                .push_bind(outcome.clone());
        });
        q.build().execute(&mut **tx).await?;
    }
    let works: Vec<(&LoadResearcher, u32)> = rows
        .iter()
        .flat_map(|r| (1..=r.works_added).map(move |n| (r, n)))
        .collect();
    for chunk in works.chunks(CHUNK) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO idlink_works (orcid, put_code, status, title, identifiers, created_at, updated_at) ",
        );
        q.push_values(chunk, |mut b, (r, n)| {
            b.push_bind(r.orcid)
                .push_bind(i64::from(*n))
                .push_bind("active")
                .push_bind(format!("Seeded work {n}"))
                .push_bind("[]")
                .push_bind(r.connected_at)
                .push_bind(r.connected_at);
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[tokio::test]
    async fn seeded_tokens_read_back_through_the_normal_path() {
        let (_dir, store) = crate::store::test_store().await;
        let seed = |n: u64, status| LoadResearcher {
            orcid: OrcidId::from_base_digits(20_000_000 + n),
            name: format!("Seed {n}"),
            connected_at: 1_600_000_000,
            status,
            scope: "openid /read-limited".into(),
            works_added: 2,
            last_refresh: None,
            last_write: None,
        };
        let rows = [
            seed(1, ConnectionStatus::Revoked),
            seed(2, ConnectionStatus::Expired),
            seed(3, ConnectionStatus::Disconnected),
        ];
        store.insert_researchers_for_load(&rows).await.unwrap();
        let t = store.tokens(&rows[0].orcid).await.unwrap().unwrap();
        let want = format!("load-test-access-{}", rows[0].orcid);
        assert_eq!(t.access_token.expose_secret(), want);
        assert_eq!(t.status, TokenStatus::Revoked);
        assert!(
            store
                .tokens(&rows[1].orcid)
                .await
                .unwrap()
                .unwrap()
                .expires_at
                < now()
        );
        assert!(store.tokens(&rows[2].orcid).await.unwrap().is_none());
        let shown = store
            .dashboard_rows(&rows.iter().map(|r| r.orcid).collect::<Vec<_>>())
            .await
            .unwrap();
        let statuses: Vec<_> = shown.iter().map(|r| r.status).collect();
        assert_eq!(statuses, rows.map(|r| r.status));
        assert!(shown.iter().all(|r| r.works_added == 2));
    }
}
