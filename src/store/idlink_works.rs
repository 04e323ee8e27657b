//! `idlink_works`: the works idlink put on researchers' records and what became of them,
//! and the one transaction an interactive write by a researcher is recorded in.

use orcid::OrcidId;

use super::audit::{self, AuditEntry};
use super::{now, works_cache, Store};

/// What became of a work idlink put on a record (`idlink_works.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum IdlinkWorkStatus {
    Active,
    /// idlink deleted it at the researcher's request.
    Deleted,
    /// It disappeared at ORCID: the researcher removed it there. Never re-added by a refresh.
    DeletedByResearcher,
}

impl IdlinkWorkStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Deleted => "deleted",
            Self::DeletedByResearcher => "deleted_by_researcher",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdlinkWork {
    pub put_code: i64,
    pub status: IdlinkWorkStatus,
    pub title: String,
    /// Normalised self identifiers sent: (type, value).
    pub identifiers: Vec<(String, String)>,
}

/// One work idlink put on a record, and what became of it (the staff view of a person).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdlinkWrite {
    pub put_code: i64,
    pub status: IdlinkWorkStatus,
    pub title: String,
    /// The normalised self identifiers sent, e.g. `[("doi", "10.1/abc")]`.
    pub identifiers: Vec<(String, String)>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What an interactive write changed in idlink's own tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkChange<'a> {
    /// The work is idlink's and on the record (added, updated, or named by ORCID's 9021).
    Recorded {
        put_code: i64,
        title: &'a str,
        identifiers: &'a [(String, String)],
    },
    /// idlink deleted it at ORCID: marked deleted and dropped from the cache.
    Deleted { put_code: i64 },
    /// ORCID no longer has it: the researcher removed it there.
    GoneAtOrcid { put_code: i64 },
    /// Nothing changed at ORCID; only the audit line is written.
    Nothing,
}

/// Identifiers as stored (JSON), written by idlink itself; unreadable reads as none.
fn identifiers_json(ids: &[(String, String)]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

fn identifiers_of(json: &str) -> Vec<(String, String)> {
    serde_json::from_str(json).unwrap_or_default()
}

async fn upsert(
    conn: &mut sqlx::SqliteConnection,
    orcid: &OrcidId,
    put_code: i64,
    title: &str,
    identifiers: &[(String, String)],
) -> Result<(), sqlx::Error> {
    let t = now();
    let ids = identifiers_json(identifiers);
    sqlx::query!(
        "INSERT INTO idlink_works (orcid, put_code, status, title, identifiers, created_at, updated_at)
         VALUES (?1, ?2, 'active', ?3, ?4, ?5, ?5)
         ON CONFLICT(orcid, put_code) DO UPDATE SET status = 'active', title = excluded.title,
            identifiers = excluded.identifiers, updated_at = excluded.updated_at",
        orcid,
        put_code,
        title,
        ids,
        t,
    )
    .execute(conn)
    .await
    .map(|_| ())
}

async fn set_status(
    conn: &mut sqlx::SqliteConnection,
    orcid: &OrcidId,
    put_code: i64,
    status: IdlinkWorkStatus,
) -> Result<(), sqlx::Error> {
    let t = now();
    sqlx::query!(
        "UPDATE idlink_works SET status = ?3, updated_at = ?4 WHERE orcid = ?1 AND put_code = ?2",
        orcid,
        put_code,
        status,
        t,
    )
    .execute(conn)
    .await
    .map(|_| ())
}

impl Store {
    /// Records what an interactive write by a researcher did: idlink's work, the cache
    /// change and the audit line (whose record is the one written to) commit together,
    /// so a failure never leaves one without the others.
    pub async fn record_work_write(
        &self,
        change: WorkChange<'_>,
        entry: &AuditEntry<'_>,
    ) -> Result<(), sqlx::Error> {
        let orcid = entry.orcid;
        let mut tx = self.pool.begin().await?;
        match change {
            WorkChange::Recorded {
                put_code,
                title,
                identifiers,
            } => upsert(&mut tx, orcid, put_code, title, identifiers).await?,
            WorkChange::Deleted { put_code } => {
                set_status(&mut tx, orcid, put_code, IdlinkWorkStatus::Deleted).await?;
                works_cache::forget(&mut tx, orcid, put_code).await?;
            }
            WorkChange::GoneAtOrcid { put_code } => {
                set_status(
                    &mut tx,
                    orcid,
                    put_code,
                    IdlinkWorkStatus::DeletedByResearcher,
                )
                .await?
            }
            WorkChange::Nothing => {}
        }
        audit::insert(&mut tx, entry).await?;
        tx.commit().await?;
        if matches!(change, WorkChange::Deleted { .. }) {
            self.works_pages.changed(orcid);
        }
        Ok(())
    }

    pub async fn idlink_works(&self, orcid: &OrcidId) -> Result<Vec<IdlinkWork>, sqlx::Error> {
        let rows = sqlx::query!(
            r#"SELECT put_code, status AS "status: IdlinkWorkStatus", title, identifiers
               FROM idlink_works WHERE orcid = ?1 ORDER BY created_at, put_code"#,
            orcid,
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| IdlinkWork {
                put_code: r.put_code,
                status: r.status,
                title: r.title,
                identifiers: identifiers_of(&r.identifiers),
            })
            .collect())
    }

    pub async fn idlink_writes_count(&self, orcid: &OrcidId) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar!("SELECT COUNT(*) FROM idlink_works WHERE orcid = ?1", orcid)
            .fetch_one(&self.pool)
            .await
    }

    /// One page of idlink's writes to the record, newest first.
    pub async fn idlink_writes_page(
        &self,
        orcid: &OrcidId,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<IdlinkWrite>, sqlx::Error> {
        let offset = offset.max(0);
        let rows = sqlx::query!(
            r#"SELECT put_code, status AS "status: IdlinkWorkStatus", title, identifiers,
                      created_at, updated_at
               FROM idlink_works WHERE orcid = ?1
               ORDER BY created_at DESC, put_code DESC LIMIT ?2 OFFSET ?3"#,
            orcid,
            limit,
            offset,
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| IdlinkWrite {
                put_code: r.put_code,
                status: r.status,
                title: r.title,
                identifiers: identifiers_of(&r.identifiers),
                created_at: r.created_at,
                updated_at: r.updated_at,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{test_researcher, test_store, AuditAction, CachedWork};

    fn entry<'a>(who: &'a OrcidId, action: AuditAction) -> AuditEntry<'a> {
        AuditEntry {
            actor: who,
            orcid: who,
            action,
            put_code: Some(7),
            outcome: "ok",
            detail: None,
        }
    }

    fn cached(put_code: i64) -> CachedWork {
        CachedWork {
            put_code,
            group_index: 0,
            title: "A paper".into(),
            subtitle: None,
            work_type: "journal-article".into(),
            pub_year: None,
            pub_month: None,
            pub_day: None,
            journal_title: None,
            url: None,
            source_name: None,
            source_client_id: None,
            visibility: None,
            external_ids: vec![],
            last_modified: None,
        }
    }

    #[tokio::test]
    async fn a_delete_marks_the_work_drops_it_from_the_cache_and_audits_together() {
        let (_dir, store) = test_store().await;
        let who = OrcidId::parse("0000-0002-1825-0097").unwrap();
        test_researcher(&store, &who).await;
        let ids = [("doi".to_string(), "10.1/a".to_string())];
        let added = WorkChange::Recorded {
            put_code: 7,
            title: "A paper",
            identifiers: &ids,
        };
        store
            .record_work_write(added, &entry(&who, AuditAction::AddWork))
            .await
            .unwrap();
        store
            .replace_cached_works(&who, &[cached(7)])
            .await
            .unwrap();
        assert_eq!(store.cached_works_page(&who, 0, 10).await.unwrap().len(), 1);

        store
            .record_work_write(
                WorkChange::Deleted { put_code: 7 },
                &entry(&who, AuditAction::DeleteWork),
            )
            .await
            .unwrap();

        let ours = store.idlink_works(&who).await.unwrap();
        assert_eq!(ours[0].status, IdlinkWorkStatus::Deleted);
        assert!(store.cached_work(&who, 7).await.unwrap().is_none());
        assert!(store
            .cached_works_page(&who, 0, 10)
            .await
            .unwrap()
            .is_empty());
        let actions: Vec<_> = store
            .audit_for(&who, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.action)
            .collect();
        assert_eq!(actions, [AuditAction::DeleteWork, AuditAction::AddWork]);
    }

    #[tokio::test]
    async fn when_the_audit_line_cannot_be_written_nothing_is_recorded() {
        let (_dir, store) = test_store().await;
        let who = OrcidId::parse("0000-0002-1825-0097").unwrap();
        test_researcher(&store, &who).await;
        store
            .replace_cached_works(&who, &[cached(7)])
            .await
            .unwrap();
        sqlx::query("DROP TABLE audit_log")
            .execute(store.pool())
            .await
            .unwrap();

        let added = WorkChange::Recorded {
            put_code: 8,
            title: "Another paper",
            identifiers: &[],
        };
        let deleted = WorkChange::Deleted { put_code: 7 };
        for change in [added, deleted] {
            let r = store
                .record_work_write(change, &entry(&who, AuditAction::AddWork))
                .await;
            assert!(r.is_err());
        }

        assert!(store.idlink_works(&who).await.unwrap().is_empty());
        assert!(store.cached_work(&who, 7).await.unwrap().is_some());
    }
}
