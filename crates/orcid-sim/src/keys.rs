//! The RS256 key that signs id_tokens, and its public half as a JWK.

use std::fs::File;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::MockError;

const KEY_BITS: usize = 2048;

pub(crate) struct SigningKey {
    pub kid: String,
    encoding: EncodingKey,
    /// base64url modulus and exponent, as they appear in the JWK.
    pub n: String,
    pub e: String,
}

#[derive(Serialize)]
pub(crate) struct Jwk<'a> {
    kty: &'static str,
    e: &'a str,
    #[serde(rename = "use")]
    use_: &'static str,
    kid: &'a str,
    alg: &'static str,
    n: &'a str,
}

impl SigningKey {
    fn from_private(key: &RsaPrivateKey) -> Result<Self, MockError> {
        let der = key
            .to_pkcs1_der()
            .map_err(|e| MockError::Key(e.to_string()))?;
        let n_bytes = key.n().to_bytes_be();
        let n = URL_SAFE_NO_PAD.encode(&n_bytes);
        let e = URL_SAFE_NO_PAD.encode(key.e().to_bytes_be());
        // A stable kid derived from the public key, so it survives restarts with the key file.
        let digest = Sha256::digest(&n_bytes);
        let kid = format!("idlink-mock-{}", &URL_SAFE_NO_PAD.encode(digest)[..16]);
        Ok(SigningKey {
            kid,
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            n,
            e,
        })
    }

    /// A key with the same kid as `self` but different material: the wrong-key fault.
    fn impostor_of(&self, key: &RsaPrivateKey) -> Result<Self, MockError> {
        let mut other = SigningKey::from_private(key)?;
        other.kid = self.kid.clone();
        Ok(other)
    }

    /// Loads the PEM key at `path` (PKCS#8 or PKCS#1), or generates one and writes it there
    /// as PKCS#8 with mode 0600.
    pub fn from_file(path: &Path) -> Result<Self, MockError> {
        let io_err = |source| MockError::KeyFile {
            path: path.to_owned(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(pem) => {
                let key = RsaPrivateKey::from_pkcs8_pem(&pem)
                    .or_else(|_| RsaPrivateKey::from_pkcs1_pem(&pem))
                    .map_err(|e| {
                        MockError::Key(format!("{} is not an RSA private key: {e}", path.display()))
                    })?;
                SigningKey::from_private(&key)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = generate()?;
                let pem = key
                    .to_pkcs8_pem(LineEnding::LF)
                    .map_err(|e| MockError::Key(e.to_string()))?;
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(io_err)?;
                }
                let mut file = create_private_file(path).map_err(io_err)?;
                std::io::Write::write_all(&mut file, pem.as_bytes()).map_err(io_err)?;
                tracing::info!(path = %path.display(), "simulated ORCID generated its signing key");
                SigningKey::from_private(&key)
            }
            Err(e) => Err(io_err(e)),
        }
    }

    pub fn jwk(&self) -> Jwk<'_> {
        Jwk {
            kty: "RSA",
            e: &self.e,
            use_: "sig",
            kid: &self.kid,
            alg: "RS256",
            n: &self.n,
        }
    }

    /// Signs `claims` as a compact RS256 JWS whose header is `{"kid":…,"alg":"RS256"}`.
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(Algorithm::RS256);
        header.typ = None;
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding)
    }
}

fn generate() -> Result<RsaPrivateKey, MockError> {
    RsaPrivateKey::new(&mut rand::rngs::OsRng, KEY_BITS).map_err(|e| MockError::Key(e.to_string()))
}

fn cached(cell: &OnceLock<Result<RsaPrivateKey, String>>) -> Result<&RsaPrivateKey, MockError> {
    cell.get_or_init(|| generate().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| MockError::Key(e.clone()))
}

static PROCESS_KEY: OnceLock<Result<RsaPrivateKey, String>> = OnceLock::new();
static IMPOSTOR_KEY: OnceLock<Result<RsaPrivateKey, String>> = OnceLock::new();
static PROCESS_SIGNING_KEY: OnceLock<Arc<SigningKey>> = OnceLock::new();

/// The key used when no key file is configured: generated once per process, so many
/// simulations in one test binary share it.
pub(crate) fn process_key() -> Result<Arc<SigningKey>, MockError> {
    if let Some(k) = PROCESS_SIGNING_KEY.get() {
        return Ok(k.clone());
    }
    let key = SigningKey::from_private(cached(&PROCESS_KEY)?)?;
    Ok(PROCESS_SIGNING_KEY.get_or_init(|| Arc::new(key)).clone())
}

#[cfg(any(test, feature = "testing"))]
static ROTATED_KEY: OnceLock<Result<RsaPrivateKey, String>> = OnceLock::new();

/// A second key with its own kid, for [`super::MockOrcid::rotate_signing_key`].
#[cfg(any(test, feature = "testing"))]
pub(crate) fn rotated_key() -> Result<Arc<SigningKey>, MockError> {
    Ok(Arc::new(SigningKey::from_private(cached(&ROTATED_KEY)?)?))
}

/// Signs with a key that is not in the JWKS but claims the real kid.
pub(crate) fn sign_with_impostor<T: Serialize>(
    real: &SigningKey,
    claims: &T,
) -> Result<String, String> {
    let key = cached(&IMPOSTOR_KEY).map_err(|e| e.to_string())?;
    let impostor = real.impostor_of(key).map_err(|e| e.to_string())?;
    impostor.sign(claims).map_err(|e| e.to_string())
}

/// Creates (truncating) a file only its owner can read and write.
pub(crate) fn create_private_file(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// `at_hash`: base64url of the left half of SHA-256 over the access token (RS256).
pub(crate) fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}
