use super::*;
use crate::store::{test_researcher, test_store, AuditAction};

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

fn row(put_code: i64, role: &str) -> CachedAffiliation {
    CachedAffiliation {
        section: CachedSection::Employment,
        put_code,
        group_index: 0,
        position: 0,
        org_name: "Example University".into(),
        org_city: Some("Wellington".into()),
        org_region: None,
        org_country: Some("NZ".into()),
        org_id: Some("https://ror.org/0examp183".into()),
        org_id_source: Some("ROR".into()),
        department: Some("Chemistry".into()),
        role_title: Some(role.into()),
        start_year: Some("2019".into()),
        start_month: None,
        start_day: None,
        end_year: None,
        end_month: None,
        end_day: None,
        source_name: None,
        source_client_id: Some("APP-IDLINKDEMO000000".into()),
        visibility: None,
    }
}

const KEY: &str = "ROR:https://ror.org/0examp183";

#[tokio::test]
async fn an_add_goes_last_in_its_section_and_an_update_keeps_its_place() {
    let (_dir, store) = test_store().await;
    let who = OrcidId::parse("0000-0002-1825-0097").unwrap();
    test_researcher(&store, &who).await;
    let mut theirs = row(3, "Fellow");
    theirs.source_client_id = Some("APP-ANOTHERHRSYS0001".into());
    store
        .replace_cached_activities(&who, &[], &[theirs])
        .await
        .unwrap();

    let added = row(7, "Lecturer");
    let change = AffiliationChange::Recorded {
        row: &added,
        org_key: KEY,
    };
    store
        .record_affiliation_write(change, &entry(&who, AuditAction::AddAffiliation))
        .await
        .unwrap();
    let mut ended = row(7, "Lecturer");
    ended.end_year = Some("2024".into());
    let change = AffiliationChange::Recorded {
        row: &ended,
        org_key: KEY,
    };
    store
        .record_affiliation_write(change, &entry(&who, AuditAction::UpdateAffiliation))
        .await
        .unwrap();

    let cached = store.cached_affiliations(&who).await.unwrap();
    let places: Vec<_> = cached.iter().map(|a| (a.put_code, a.group_index)).collect();
    assert_eq!(places, [(3, 0), (7, 1)]);
    assert_eq!(cached[1].end_year.as_deref(), Some("2024"));
    let ours = store.idlink_affiliations(&who).await.unwrap();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0].status, IdlinkAffiliationStatus::Active);
    assert_eq!(ours[0].org_key, KEY);
    assert_eq!(ours[0].end_year.as_deref(), Some("2024"));
}

#[tokio::test]
async fn a_delete_marks_it_drops_it_from_the_cache_and_audits_together() {
    let (_dir, store) = test_store().await;
    let who = OrcidId::parse("0000-0002-1825-0097").unwrap();
    test_researcher(&store, &who).await;
    let added = row(7, "Lecturer");
    let change = AffiliationChange::Recorded {
        row: &added,
        org_key: KEY,
    };
    store
        .record_affiliation_write(change, &entry(&who, AuditAction::AddAffiliation))
        .await
        .unwrap();

    let deleted = AffiliationChange::Deleted {
        section: CachedSection::Employment,
        put_code: 7,
    };
    store
        .record_affiliation_write(deleted, &entry(&who, AuditAction::DeleteAffiliation))
        .await
        .unwrap();

    let ours = store
        .idlink_affiliation(&who, CachedSection::Employment, 7)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ours.status, IdlinkAffiliationStatus::Deleted);
    assert!(store.cached_affiliations(&who).await.unwrap().is_empty());
    let actions: Vec<_> = store
        .audit_for(&who, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(
        actions,
        [AuditAction::DeleteAffiliation, AuditAction::AddAffiliation]
    );
}

#[tokio::test]
async fn when_the_audit_line_cannot_be_written_nothing_is_recorded() {
    let (_dir, store) = test_store().await;
    let who = OrcidId::parse("0000-0002-1825-0097").unwrap();
    test_researcher(&store, &who).await;
    sqlx::query("DROP TABLE audit_log")
        .execute(store.pool())
        .await
        .unwrap();
    let added = row(7, "Lecturer");
    let change = AffiliationChange::Recorded {
        row: &added,
        org_key: KEY,
    };
    let r = store
        .record_affiliation_write(change, &entry(&who, AuditAction::AddAffiliation))
        .await;
    assert!(r.is_err());
    assert!(store.idlink_affiliations(&who).await.unwrap().is_empty());
    assert!(store.cached_affiliations(&who).await.unwrap().is_empty());
}
