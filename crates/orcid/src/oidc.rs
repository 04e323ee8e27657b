//! OpenID Connect: the id_token ORCID returns with the `openid` scope is checked here —
//! RS256 signature against ORCID's JWKS (from discovery, cached, refetched when a `kid`
//! is unknown), `iss`, `aud`, `exp`, `nonce`, and `sub` against the token response.

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use tokio::sync::Mutex;

use super::errors::OrcidError;
use super::{OrcidClient, OrcidId};

/// Keys are refetched at most this often on an unknown `kid`, so a stream of forged
/// tokens cannot make idlink hammer ORCID.
const REFETCH_MIN_INTERVAL: Duration = Duration::from_secs(30);
const CACHE_TTL: Duration = Duration::from_secs(6 * 3600);

#[derive(Default)]
pub(super) struct JwksCache {
    inner: Mutex<Keys>,
}

#[derive(Default)]
struct Keys {
    set: Option<(JwkSet, Instant)>,
    /// When an unknown `kid` last made idlink fetch the keys again.
    refetched_for_unknown_kid: Option<Instant>,
}

#[derive(Deserialize)]
struct Discovery {
    jwks_uri: String,
}

/// The id_token claims idlink reads.
#[derive(Debug, Deserialize)]
pub struct IdTokenClaims {
    pub sub: String,
    #[serde(default)]
    pub nonce: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub family_name: Option<String>,
    #[serde(default)]
    pub auth_time: Option<i64>,
}

impl OrcidClient {
    /// Verifies an id_token for the researcher `orcid` named in the token response.
    #[tracing::instrument(skip_all)]
    pub async fn verify_id_token(
        &self,
        id_token: &str,
        expected_nonce: Option<&str>,
        orcid: &OrcidId,
    ) -> Result<IdTokenClaims, OrcidError> {
        let header = jsonwebtoken::decode_header(id_token)
            .map_err(|e| OrcidError::IdToken(format!("malformed header: {e}")))?;
        if header.alg != Algorithm::RS256 {
            return Err(OrcidError::IdToken(format!(
                "algorithm {:?} is not RS256",
                header.alg
            )));
        }
        let kid = header
            .kid
            .ok_or_else(|| OrcidError::IdToken("no key id (kid)".into()))?;
        let key = self.signing_key(&kid).await?;

        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[self.endpoints.issuer.as_str()]);
        validation.set_audience(&[self.client_id.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 60;
        let claims = jsonwebtoken::decode::<IdTokenClaims>(id_token, &key, &validation)
            .map_err(|e| OrcidError::IdToken(e.to_string()))?
            .claims;

        if claims.nonce.as_deref() != expected_nonce {
            return Err(OrcidError::IdToken(
                "nonce does not match the one idlink sent".into(),
            ));
        }
        if OrcidId::parse(&claims.sub).ok().as_ref() != Some(orcid) {
            return Err(OrcidError::IdToken(
                "subject does not match the iD in the token response".into(),
            ));
        }
        Ok(claims)
    }

    async fn signing_key(&self, kid: &str) -> Result<DecodingKey, OrcidError> {
        let decode = |set: &JwkSet| {
            set.find(kid).map(|jwk| {
                DecodingKey::from_jwk(jwk).map_err(|e| OrcidError::IdToken(format!("bad key: {e}")))
            })
        };
        let unknown = || OrcidError::IdToken(format!("unknown key id {kid:?}"));
        let mut keys = self.jwks.inner.lock().await;
        let cached = keys.set.as_ref().filter(|(_, at)| at.elapsed() < CACHE_TTL);
        if let Some((set, _)) = cached {
            if let Some(key) = decode(set) {
                return key;
            }
            // ORCID rotated its keys, or the token is forged: look again, but not often.
            if keys
                .refetched_for_unknown_kid
                .is_some_and(|at| at.elapsed() < REFETCH_MIN_INTERVAL)
            {
                return Err(unknown());
            }
            keys.refetched_for_unknown_kid = Some(Instant::now());
        }
        let set = self.fetch_jwks().await?;
        let key = decode(&set);
        keys.set = Some((set, Instant::now()));
        key.unwrap_or_else(|| Err(unknown()))
    }

    async fn fetch_jwks(&self) -> Result<JwkSet, OrcidError> {
        let discovery_url = self.endpoint(
            &self.endpoints.server_base,
            ".well-known/openid-configuration",
        );
        let discovery: Discovery = self.get_json("discovery", discovery_url.as_str()).await?;
        self.get_json("jwks", &self.server_side(&discovery.jwks_uri))
            .await
    }

    /// A registry URL as the server should call it: one under the browser-facing base is
    /// moved onto the server-side base (the same in every mode but the built-in simulation).
    fn server_side(&self, url: &str) -> String {
        let base = self.endpoints.base.as_str().trim_end_matches('/');
        match url.strip_prefix(base) {
            Some(rest) => format!(
                "{}{rest}",
                self.endpoints.server_base.as_str().trim_end_matches('/')
            ),
            None => url.to_string(),
        }
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        label: &'static str,
        url: &str,
    ) -> Result<T, OrcidError> {
        let result = async {
            self.turn().await?;
            let resp = self
                .http
                .get(url)
                .header(reqwest::header::ACCEPT, "application/json")
                .send()
                .await
                .map_err(OrcidError::from_reqwest)?;
            let status = resp.status();
            if !status.is_success() {
                return Err(OrcidError::Status {
                    status: status.as_u16(),
                });
            }
            resp.json::<T>()
                .await
                .map_err(|e| OrcidError::InvalidResponse(format!("{label}: {e}")))
        }
        .await;
        self.observe(label, &result);
        result
    }
}
