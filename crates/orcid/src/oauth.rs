//! The registry side of ORCID: the authorize URL, the token endpoint and revocation
//! (orcid-api.md §2–4).

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use super::errors::{OAuthErrorBody, OrcidError};
use super::OrcidClient;

/// What goes into one authorize redirect.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest<'a> {
    pub scopes: &'a [String],
    pub redirect_uri: &'a str,
    pub state: &'a str,
    pub nonce: Option<&'a str>,
    pub lang: Option<&'a str>,
    /// `prompt=login`: ORCID asks for credentials again (only honoured with `openid`).
    pub force_login: bool,
    /// What ORCID's sign-in or registration form is pre-filled with.
    pub prefill: Option<&'a Prefill>,
}

/// Pre-fill for ORCID's sign-in or registration (orcid-api.md §2): the iD opens sign-in
/// with it filled in and is preferred over the email; without one, the email, names and
/// `show_login=false` open registration for people who have no iD yet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefill {
    pub orcid: Option<super::OrcidId>,
    pub email: String,
    pub given_names: String,
    pub family_names: String,
}

impl Prefill {
    fn append(&self, q: &mut url::form_urlencoded::Serializer<'_, url::UrlQuery<'_>>) {
        if let Some(id) = &self.orcid {
            q.append_pair("orcid", &id.to_string());
            return;
        }
        for (name, value) in [
            ("email", &self.email),
            ("given_names", &self.given_names),
            ("family_names", &self.family_names),
        ] {
            if !value.trim().is_empty() {
                q.append_pair(name, value.trim());
            }
        }
        q.append_pair("show_login", "false");
    }
}

/// ORCID's token response (orcid-api.md §3). `Debug` redacts the secrets.
#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    pub access_token: SecretString,
    #[serde(default)]
    pub token_type: Option<String>,
    #[serde(default)]
    pub refresh_token: Option<SecretString>,
    pub expires_in: i64,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub orcid: Option<String>,
    #[serde(default)]
    pub id_token: Option<String>,
}

impl OrcidClient {
    pub fn authorize_url(&self, req: &AuthorizeRequest<'_>) -> Url {
        let mut url = self.endpoint(&self.endpoints.base, "oauth/authorize");
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &self.client_id)
                .append_pair("response_type", "code")
                .append_pair("scope", &req.scopes.join(" "))
                .append_pair("redirect_uri", req.redirect_uri)
                .append_pair("state", req.state);
            if let Some(nonce) = req.nonce {
                q.append_pair("nonce", nonce);
            }
            if let Some(lang) = req.lang {
                q.append_pair("lang", lang);
            }
            if req.force_login {
                q.append_pair("prompt", "login");
            }
            if let Some(prefill) = req.prefill {
                prefill.append(&mut q);
            }
        }
        url
    }

    /// Exchanges an authorization code. Never retried: a second use of a code makes
    /// ORCID revoke every token issued from it.
    #[tracing::instrument(skip_all)]
    pub async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
    ) -> Result<TokenResponse, OrcidError> {
        let form = [
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose_secret()),
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
        ];
        self.token_request("token", &form).await
    }

    /// Trades a refresh token for a new pair; the old pair is revoked at ORCID.
    #[tracing::instrument(skip_all)]
    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenResponse, OrcidError> {
        let form = [
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose_secret()),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose_secret()),
            ("revoke_old", "true"),
        ];
        self.token_request("refresh", &form).await
    }

    /// A two-legged `/read-public` token for the Public API (client-credentials grant).
    /// It is not tied to any researcher and lasts about 20 years: callers keep and reuse it.
    #[tracing::instrument(skip_all)]
    pub async fn read_public_token(&self) -> Result<TokenResponse, OrcidError> {
        let form = [
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose_secret()),
            ("grant_type", "client_credentials"),
            ("scope", "/read-public"),
        ];
        self.token_request("read_public_token", &form).await
    }

    async fn token_request(
        &self,
        label: &'static str,
        form: &[(&str, &str)],
    ) -> Result<TokenResponse, OrcidError> {
        let url = self.endpoint(&self.endpoints.server_base, "oauth/token");
        let result = async {
            self.turn().await?;
            let resp = self
                .http
                .post(url)
                .header(reqwest::header::ACCEPT, "application/json")
                .form(form)
                .send()
                .await
                .map_err(OrcidError::from_reqwest)?;
            let status = resp.status();
            let bytes = resp.bytes().await.map_err(OrcidError::from_reqwest)?;
            if status.is_success() {
                serde_json::from_slice::<TokenResponse>(&bytes)
                    .map_err(|e| OrcidError::InvalidResponse(format!("token response: {e}")))
            } else {
                Err(oauth_error(status.as_u16(), &bytes))
            }
        }
        .await;
        self.observe(label, &result);
        result
    }

    /// Revokes a token at ORCID (access or refresh; either disables the pair).
    #[tracing::instrument(skip_all)]
    pub async fn revoke(&self, token: &SecretString) -> Result<(), OrcidError> {
        let url = self.endpoint(&self.endpoints.server_base, "oauth/revoke");
        let form = [
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose_secret()),
            ("token", token.expose_secret()),
        ];
        let result = async {
            self.turn().await?;
            let resp = self
                .http
                .post(url)
                .header(reqwest::header::ACCEPT, "application/json")
                .form(&form)
                .send()
                .await
                .map_err(OrcidError::from_reqwest)?;
            let status = resp.status();
            if status.is_success() {
                return Ok(());
            }
            let bytes = resp.bytes().await.map_err(OrcidError::from_reqwest)?;
            Err(oauth_error(status.as_u16(), &bytes))
        }
        .await;
        self.observe("revoke", &result);
        result
    }
}

fn oauth_error(status: u16, body: &[u8]) -> OrcidError {
    match serde_json::from_slice::<OAuthErrorBody>(body) {
        Ok(body) if status < 500 => OrcidError::OAuth { status, body },
        _ => OrcidError::Status { status },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OrcidId;

    fn query(prefill: &Prefill) -> Vec<(String, String)> {
        let mut url = Url::parse("https://orcid.org/oauth/authorize").unwrap();
        {
            let mut q = url.query_pairs_mut();
            prefill.append(&mut q);
        }
        url.query_pairs().into_owned().collect()
    }

    #[test]
    fn an_id_prefills_sign_in_and_is_preferred_over_the_email() {
        let id = OrcidId::parse("0000-0002-1825-0097").unwrap();
        let q = query(&Prefill {
            orcid: Some(id),
            email: "ada@example.org".into(),
            given_names: "Ada".into(),
            family_names: "Lovelace".into(),
        });
        assert_eq!(
            q,
            [("orcid".to_string(), "0000-0002-1825-0097".to_string())]
        );
    }

    #[test]
    fn without_an_id_registration_opens_with_what_is_known() {
        let q = query(&Prefill {
            orcid: None,
            email: "ada@example.org".into(),
            given_names: "Ada".into(),
            family_names: String::new(),
        });
        let pairs: Vec<(&str, &str)> = q.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("email", "ada@example.org"),
                ("given_names", "Ada"),
                ("show_login", "false")
            ]
        );
    }
}
