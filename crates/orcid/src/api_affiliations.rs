//! Member API calls for the seven affiliation sections and the activities summary. ORCID
//! has no bulk endpoint for affiliations: one request each (orcid-api.md §11).

use reqwest::Method;
use secrecy::SecretString;

use super::{created_put_code, parse, ApiError};
use crate::model::{ActivitiesSummary, Affiliation, AffiliationGroups, AffiliationSection};
use crate::{OrcidClient, OrcidId};

impl OrcidClient {
    /// Works groups and every affiliation section's groups in one call:
    /// `GET /v3.0/{orcid}/activities`.
    pub async fn activities(
        &self,
        token: &SecretString,
        orcid: &OrcidId,
    ) -> Result<ActivitiesSummary, ApiError> {
        let path = format!("{orcid}/activities");
        let a = self
            .member_call("activities", Method::GET, &path, token, None::<&()>)
            .await?;
        parse(&a.body)
    }

    /// One section's grouped summaries: `GET /v3.0/{orcid}/{section}s`.
    pub async fn affiliations(
        &self,
        token: &SecretString,
        orcid: &OrcidId,
        section: AffiliationSection,
    ) -> Result<AffiliationGroups, ApiError> {
        let path = format!("{orcid}/{}", section.plural());
        let a = self
            .member_call("affiliations", Method::GET, &path, token, None::<&()>)
            .await?;
        parse(&a.body)
    }

    /// One full affiliation: `GET /v3.0/{orcid}/{section}/{put-code}`.
    pub async fn affiliation(
        &self,
        token: &SecretString,
        orcid: &OrcidId,
        section: AffiliationSection,
        put_code: i64,
    ) -> Result<Affiliation, ApiError> {
        let path = format!("{orcid}/{section}/{put_code}");
        let a = self
            .member_call("affiliation", Method::GET, &path, token, None::<&()>)
            .await?;
        parse(&a.body)
    }

    /// Adds an affiliation (sent through [`Affiliation::for_create`]); returns its put-code.
    pub async fn add_affiliation(
        &self,
        token: &SecretString,
        orcid: &OrcidId,
        section: AffiliationSection,
        affiliation: &Affiliation,
    ) -> Result<i64, ApiError> {
        let body = affiliation.for_create();
        let path = format!("{orcid}/{section}");
        let a = self
            .member_call("add_affiliation", Method::POST, &path, token, Some(&body))
            .await?;
        created_put_code(&a)
    }

    /// Replaces the affiliation `put_code` (only its source may); returns it as ORCID
    /// stored it.
    pub async fn update_affiliation(
        &self,
        token: &SecretString,
        orcid: &OrcidId,
        section: AffiliationSection,
        put_code: i64,
        affiliation: &Affiliation,
    ) -> Result<Affiliation, ApiError> {
        let body = Affiliation {
            put_code: Some(put_code),
            ..affiliation.for_write()
        };
        let path = format!("{orcid}/{section}/{put_code}");
        let a = self
            .member_call("update_affiliation", Method::PUT, &path, token, Some(&body))
            .await?;
        parse(&a.body)
    }

    pub async fn delete_affiliation(
        &self,
        token: &SecretString,
        orcid: &OrcidId,
        section: AffiliationSection,
        put_code: i64,
    ) -> Result<(), ApiError> {
        let path = format!("{orcid}/{section}/{put_code}");
        self.member_call(
            "delete_affiliation",
            Method::DELETE,
            &path,
            token,
            None::<&()>,
        )
        .await
        .map(|_| ())
    }
}
