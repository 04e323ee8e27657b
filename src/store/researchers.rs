use orcid::OrcidId;

use super::{now, NewTokens, Store};

#[derive(Debug, Clone)]
pub struct Researcher {
    pub orcid: OrcidId,
    pub name: String,
    pub is_staff: bool,
    pub first_connected_at: i64,
    pub last_signed_in_at: i64,
    pub disconnected_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    orcid: String,
    name: String,
    is_staff: i64,
    first_connected_at: i64,
    last_signed_in_at: i64,
    disconnected_at: Option<i64>,
}

impl TryFrom<Row> for Researcher {
    type Error = sqlx::Error;
    fn try_from(r: Row) -> Result<Self, Self::Error> {
        Ok(Researcher {
            orcid: OrcidId::parse(&r.orcid).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            name: r.name,
            is_staff: r.is_staff != 0,
            first_connected_at: r.first_connected_at,
            last_signed_in_at: r.last_signed_in_at,
            disconnected_at: r.disconnected_at,
        })
    }
}

impl Store {
    /// Records a completed connection in one transaction: the researcher (created or
    /// updated) and their tokens (replacing any earlier pair). Nothing is half-stored.
    pub async fn save_connection(
        &self,
        orcid: &OrcidId,
        name: &str,
        is_staff: bool,
        tokens: &NewTokens,
    ) -> Result<(), sqlx::Error> {
        let t = now();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO researchers (orcid, name, is_staff, first_connected_at, last_signed_in_at)
             VALUES (?1, ?2, ?3, ?4, ?4)
             ON CONFLICT(orcid) DO UPDATE SET
                name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE researchers.name END,
                is_staff = excluded.is_staff,
                last_signed_in_at = excluded.last_signed_in_at,
                disconnected_at = NULL",
        )
        .bind(orcid.as_str())
        .bind(name)
        .bind(is_staff as i64)
        .bind(t)
        .execute(&mut *tx)
        .await?;
        self.replace_tokens(&mut tx, orcid, tokens, t).await?;
        tx.commit().await
    }

    pub async fn researcher(&self, orcid: &OrcidId) -> Result<Option<Researcher>, sqlx::Error> {
        sqlx::query_as::<_, Row>(
            "SELECT orcid, name, is_staff, first_connected_at, last_signed_in_at, disconnected_at
             FROM researchers WHERE orcid = ?1",
        )
        .bind(orcid.as_str())
        .fetch_optional(&self.pool)
        .await?
        .map(Researcher::try_from)
        .transpose()
    }

    /// Researchers who currently hold an active grant.
    pub async fn count_connected(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM orcid_tokens WHERE status = 'active'")
            .fetch_one(&self.pool)
            .await
    }

    /// Forgets the tokens and marks the researcher disconnected, in one transaction.
    pub async fn disconnect(&self, orcid: &OrcidId) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM orcid_tokens WHERE orcid = ?1")
            .bind(orcid.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE researchers SET disconnected_at = ?2 WHERE orcid = ?1")
            .bind(orcid.as_str())
            .bind(now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }
}
