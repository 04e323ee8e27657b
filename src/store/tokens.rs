use secrecy::SecretString;
use sqlx::{Sqlite, Transaction};

use orcid::OrcidId;

use super::{now, Store};

/// A token pair fresh from ORCID, about to be stored (encrypted).
pub struct NewTokens {
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    pub scope: String,
    pub expires_at: i64,
}

/// `orcid_tokens.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum TokenStatus {
    Active,
    /// ORCID answered 401 invalid_token: the researcher revoked idlink's access.
    Revoked,
}

/// A stored token pair, decrypted. `Debug` never shows the secrets (SecretString).
#[derive(Debug)]
pub struct StoredTokens {
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    pub scope: String,
    pub expires_at: i64,
    pub status: TokenStatus,
    pub created_at: i64,
    pub updated_at: i64,
}

impl StoredTokens {
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split_whitespace()
    }
}

fn context(orcid: &OrcidId, which: &str) -> String {
    format!("{orcid}/{which}")
}

impl Store {
    /// The token pair encrypted, each bound to its record and role.
    fn seal(&self, orcid: &OrcidId, tokens: &NewTokens) -> (Vec<u8>, Option<Vec<u8>>) {
        let access = self
            .cipher
            .encrypt(&tokens.access_token, &context(orcid, "access"));
        let refresh = tokens
            .refresh_token
            .as_ref()
            .map(|r| self.cipher.encrypt(r, &context(orcid, "refresh")));
        (access, refresh)
    }

    pub(super) async fn replace_tokens(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
        orcid: &OrcidId,
        tokens: &NewTokens,
        t: i64,
    ) -> Result<(), sqlx::Error> {
        let (access, refresh) = self.seal(orcid, tokens);
        // A new grant: what was known of the old one's health does not carry over.
        sqlx::query!("DELETE FROM grant_health WHERE orcid = ?1", orcid)
            .execute(&mut **tx)
            .await?;
        sqlx::query!(
            "INSERT INTO orcid_tokens (orcid, access_token, refresh_token, scope, expires_at, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6, ?6)
             ON CONFLICT(orcid) DO UPDATE SET
                access_token = excluded.access_token, refresh_token = excluded.refresh_token,
                scope = excluded.scope, expires_at = excluded.expires_at, status = 'active',
                created_at = excluded.created_at, updated_at = excluded.updated_at",
            orcid,
            access,
            refresh,
            tokens.scope,
            tokens.expires_at,
            t,
        )
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// The researcher's tokens, decrypted; `None` when they are not connected.
    pub async fn tokens(&self, orcid: &OrcidId) -> Result<Option<StoredTokens>, sqlx::Error> {
        let Some(r) = sqlx::query!(
            r#"SELECT access_token, refresh_token, scope, expires_at,
                      status AS "status: TokenStatus", created_at, updated_at
               FROM orcid_tokens WHERE orcid = ?1"#,
            orcid,
        )
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let decode = |e| sqlx::Error::Decode(Box::new(e));
        Ok(Some(StoredTokens {
            access_token: self
                .cipher
                .decrypt(&r.access_token, &context(orcid, "access"))
                .map_err(decode)?,
            refresh_token: r
                .refresh_token
                .map(|b| self.cipher.decrypt(&b, &context(orcid, "refresh")))
                .transpose()
                .map_err(decode)?,
            scope: r.scope,
            expires_at: r.expires_at,
            status: r.status,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }))
    }

    /// Stores a refreshed token pair (encrypted), keeping when the grant was made.
    pub async fn update_tokens(
        &self,
        orcid: &OrcidId,
        tokens: &NewTokens,
    ) -> Result<(), sqlx::Error> {
        let (access, refresh) = self.seal(orcid, tokens);
        let t = now();
        sqlx::query!(
            "UPDATE orcid_tokens SET access_token = ?2, refresh_token = ?3, scope = ?4, expires_at = ?5,
                status = 'active', updated_at = ?6 WHERE orcid = ?1",
            orcid,
            access,
            refresh,
            tokens.scope,
            tokens.expires_at,
            t,
        )
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// Marks the grant revoked (ORCID answered 401 invalid_token); kept until reconnect.
    pub async fn mark_tokens_revoked(&self, orcid: &OrcidId) -> Result<(), sqlx::Error> {
        let t = now();
        sqlx::query!(
            "UPDATE orcid_tokens SET status = 'revoked', updated_at = ?2 WHERE orcid = ?1",
            orcid,
            t
        )
        .execute(&self.pool)
        .await
        .map(|_| ())
    }
}
