//! The affiliations cache: the summaries of the seven affiliation sections as ORCID last
//! returned them (`cached_affiliations`), replaced with the works cache on every refresh
//! that reads the whole record, and when that last happened (`affiliations_sync`).

use orcid::model::AffiliationSection;
use orcid::OrcidId;

use super::{now, Store};

/// An affiliation section as stored: ORCID's singular path segment (`invited-position`).
/// Declared in the order ORCID's record lists the sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "kebab-case")]
pub enum CachedSection {
    Employment,
    Education,
    Qualification,
    InvitedPosition,
    Distinction,
    Membership,
    Service,
}

impl From<AffiliationSection> for CachedSection {
    fn from(s: AffiliationSection) -> Self {
        match s {
            AffiliationSection::Employment => CachedSection::Employment,
            AffiliationSection::Education => CachedSection::Education,
            AffiliationSection::Qualification => CachedSection::Qualification,
            AffiliationSection::InvitedPosition => CachedSection::InvitedPosition,
            AffiliationSection::Distinction => CachedSection::Distinction,
            AffiliationSection::Membership => CachedSection::Membership,
            AffiliationSection::Service => CachedSection::Service,
        }
    }
}

impl From<CachedSection> for AffiliationSection {
    fn from(s: CachedSection) -> Self {
        match s {
            CachedSection::Employment => AffiliationSection::Employment,
            CachedSection::Education => AffiliationSection::Education,
            CachedSection::Qualification => AffiliationSection::Qualification,
            CachedSection::InvitedPosition => AffiliationSection::InvitedPosition,
            CachedSection::Distinction => AffiliationSection::Distinction,
            CachedSection::Membership => AffiliationSection::Membership,
            CachedSection::Service => AffiliationSection::Service,
        }
    }
}

/// One affiliation summary as shown on /me.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedAffiliation {
    pub section: CachedSection,
    pub put_code: i64,
    /// ORCID's group within the section, and the summary's place in it.
    pub group_index: i64,
    pub position: i64,
    pub org_name: String,
    pub org_city: Option<String>,
    pub org_region: Option<String>,
    pub org_country: Option<String>,
    pub org_id: Option<String>,
    pub org_id_source: Option<String>,
    pub department: Option<String>,
    pub role_title: Option<String>,
    pub start_year: Option<String>,
    pub start_month: Option<String>,
    pub start_day: Option<String>,
    pub end_year: Option<String>,
    pub end_month: Option<String>,
    pub end_day: Option<String>,
    pub source_name: Option<String>,
    pub source_client_id: Option<String>,
    pub visibility: Option<String>,
}

impl Store {
    /// The record's cached affiliations, section by section in ORCID's order, each in its
    /// groups.
    pub async fn cached_affiliations(
        &self,
        orcid: &OrcidId,
    ) -> Result<Vec<CachedAffiliation>, sqlx::Error> {
        let mut rows = sqlx::query_as!(
            CachedAffiliation,
            r#"SELECT section AS "section: CachedSection", put_code, group_index, position,
                      org_name, org_city, org_region, org_country, org_id, org_id_source,
                      department, role_title, start_year, start_month, start_day, end_year,
                      end_month, end_day, source_name, source_client_id, visibility
               FROM cached_affiliations WHERE orcid = ?1
               ORDER BY group_index, position"#,
            orcid,
        )
        .fetch_all(&self.pool)
        .await?;
        // Sections are declared in ORCID's order; the sort is stable.
        rows.sort_by_key(|a| a.section);
        Ok(rows)
    }

    /// One cached affiliation, if the record has it.
    pub async fn cached_affiliation(
        &self,
        orcid: &OrcidId,
        section: CachedSection,
        put_code: i64,
    ) -> Result<Option<CachedAffiliation>, sqlx::Error> {
        sqlx::query_as!(
            CachedAffiliation,
            r#"SELECT section AS "section: CachedSection", put_code, group_index, position,
                      org_name, org_city, org_region, org_country, org_id, org_id_source,
                      department, role_title, start_year, start_month, start_day, end_year,
                      end_month, end_day, source_name, source_client_id, visibility
               FROM cached_affiliations WHERE orcid = ?1 AND section = ?2 AND put_code = ?3"#,
            orcid,
            section,
            put_code,
        )
        .fetch_optional(&self.pool)
        .await
    }

    /// Whether the record's affiliations were ever read.
    pub async fn affiliations_synced(&self, orcid: &OrcidId) -> Result<bool, sqlx::Error> {
        let row = sqlx::query_scalar!(
            "SELECT synced_at FROM affiliations_sync WHERE orcid = ?1",
            orcid
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }
}

/// Replaces the record's affiliations, on the caller's connection inside its transaction
/// (the works cache is replaced in the same one).
pub(super) async fn replace(
    conn: &mut sqlx::SqliteConnection,
    orcid: &OrcidId,
    affiliations: &[CachedAffiliation],
) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM cached_affiliations WHERE orcid = ?1", orcid)
        .execute(&mut *conn)
        .await?;
    // A record holds tens of affiliations, not thousands: one statement each is cheap.
    for a in affiliations {
        sqlx::query!(
            "INSERT INTO cached_affiliations (orcid, section, put_code, group_index, position,
                 org_name, org_city, org_region, org_country, org_id, org_id_source, department,
                 role_title, start_year, start_month, start_day, end_year, end_month, end_day,
                 source_name, source_client_id, visibility)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17, ?18, ?19, ?20, ?21, ?22)
             ON CONFLICT (orcid, section, put_code) DO NOTHING",
            orcid,
            a.section,
            a.put_code,
            a.group_index,
            a.position,
            a.org_name,
            a.org_city,
            a.org_region,
            a.org_country,
            a.org_id,
            a.org_id_source,
            a.department,
            a.role_title,
            a.start_year,
            a.start_month,
            a.start_day,
            a.end_year,
            a.end_month,
            a.end_day,
            a.source_name,
            a.source_client_id,
            a.visibility,
        )
        .execute(&mut *conn)
        .await?;
    }
    let t = now();
    sqlx::query!(
        "INSERT INTO affiliations_sync (orcid, synced_at) VALUES (?1, ?2)
         ON CONFLICT(orcid) DO UPDATE SET synced_at = ?2",
        orcid,
        t,
    )
    .execute(&mut *conn)
    .await
    .map(|_| ())
}

/// Writes one affiliation idlink just wrote at ORCID, on the caller's connection inside
/// its transaction: a new one goes last in its section, as a group of its own (ORCID
/// groups affiliations only by shared external ids); a known one keeps its place.
pub(super) async fn put(
    conn: &mut sqlx::SqliteConnection,
    orcid: &OrcidId,
    a: &CachedAffiliation,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO cached_affiliations (orcid, section, put_code, group_index, position,
             org_name, org_city, org_region, org_country, org_id, org_id_source, department,
             role_title, start_year, start_month, start_day, end_year, end_month, end_day,
             source_name, source_client_id, visibility)
         VALUES (?1, ?2, ?3,
                 (SELECT COALESCE(MAX(group_index) + 1, 0) FROM cached_affiliations
                  WHERE orcid = ?1 AND section = ?2),
                 0, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)
         ON CONFLICT (orcid, section, put_code) DO UPDATE SET
             org_name = excluded.org_name, org_city = excluded.org_city,
             org_region = excluded.org_region, org_country = excluded.org_country,
             org_id = excluded.org_id, org_id_source = excluded.org_id_source,
             department = excluded.department, role_title = excluded.role_title,
             start_year = excluded.start_year, start_month = excluded.start_month,
             start_day = excluded.start_day, end_year = excluded.end_year,
             end_month = excluded.end_month, end_day = excluded.end_day,
             source_name = COALESCE(excluded.source_name, source_name),
             source_client_id = COALESCE(excluded.source_client_id, source_client_id),
             visibility = COALESCE(excluded.visibility, visibility)",
        orcid,
        a.section,
        a.put_code,
        a.org_name,
        a.org_city,
        a.org_region,
        a.org_country,
        a.org_id,
        a.org_id_source,
        a.department,
        a.role_title,
        a.start_year,
        a.start_month,
        a.start_day,
        a.end_year,
        a.end_month,
        a.end_day,
        a.source_name,
        a.source_client_id,
        a.visibility,
    )
    .execute(conn)
    .await
    .map(|_| ())
}

/// Drops one affiliation from the cache, on the caller's connection.
pub(super) async fn forget(
    conn: &mut sqlx::SqliteConnection,
    orcid: &OrcidId,
    section: CachedSection,
    put_code: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM cached_affiliations WHERE orcid = ?1 AND section = ?2 AND put_code = ?3",
        orcid,
        section,
        put_code,
    )
    .execute(conn)
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{test_researcher, test_store};

    fn row(section: CachedSection, put_code: i64, group_index: i64) -> CachedAffiliation {
        CachedAffiliation {
            section,
            put_code,
            group_index,
            position: 0,
            org_name: format!("Org {put_code}"),
            org_city: Some("Wellington".into()),
            org_region: None,
            org_country: Some("NZ".into()),
            org_id: None,
            org_id_source: None,
            department: None,
            role_title: None,
            start_year: Some("2020".into()),
            start_month: None,
            start_day: None,
            end_year: None,
            end_month: None,
            end_day: None,
            source_name: None,
            source_client_id: None,
            visibility: Some("public".into()),
        }
    }

    #[tokio::test]
    async fn a_refresh_replaces_the_record_and_keeps_orcids_order() {
        let (_dir, store) = test_store().await;
        let who = OrcidId::parse("0000-0002-1825-0097").unwrap();
        test_researcher(&store, &who).await;
        assert!(!store.affiliations_synced(&who).await.unwrap());
        let first = [
            row(CachedSection::Service, 7, 0),
            row(CachedSection::Employment, 2, 1),
            row(CachedSection::InvitedPosition, 5, 0),
            row(CachedSection::Employment, 1, 0),
        ];
        store
            .replace_cached_activities(&who, &[], &first)
            .await
            .unwrap();
        let got = store.cached_affiliations(&who).await.unwrap();
        let order: Vec<_> = got.iter().map(|a| (a.section, a.put_code)).collect();
        assert_eq!(
            order,
            [
                (CachedSection::Employment, 1),
                (CachedSection::Employment, 2),
                (CachedSection::InvitedPosition, 5),
                (CachedSection::Service, 7)
            ]
        );
        assert_eq!(got[0], first[3], "every column comes back as stored");
        assert!(store.affiliations_synced(&who).await.unwrap());
        store
            .replace_cached_activities(&who, &[], &[row(CachedSection::Education, 9, 0)])
            .await
            .unwrap();
        let got = store.cached_affiliations(&who).await.unwrap();
        assert_eq!(got.len(), 1, "replaced, not added to");
        assert_eq!(got[0].section, CachedSection::Education);
    }
}
