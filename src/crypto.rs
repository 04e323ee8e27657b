//! Encryption of ORCID tokens at rest: XChaCha20-Poly1305 (RustCrypto), a random 24-byte
//! nonce per value, and the row it belongs to as associated data so a ciphertext copied
//! to another researcher's row does not decrypt.

use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretString};

const NONCE_LEN: usize = 24;

#[derive(Clone)]
pub struct TokenCipher {
    aead: XChaCha20Poly1305,
}

impl std::fmt::Debug for TokenCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCipher([redacted])")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the key is not valid base64")]
    KeyEncoding,
    #[error(
        "the key must be exactly 32 bytes (it has {0}); make one with: openssl rand -base64 32"
    )]
    KeyLength(usize),
    #[error("a stored token could not be decrypted: wrong TOKEN_KEY, or the data was altered")]
    Decrypt,
    #[error("could not read or write the key file {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
}

impl TokenCipher {
    pub fn from_base64(key: &str) -> Result<Self, CryptoError> {
        let bytes = STANDARD
            .decode(key.trim())
            .map_err(|_| CryptoError::KeyEncoding)?;
        if bytes.len() != 32 {
            return Err(CryptoError::KeyLength(bytes.len()));
        }
        Ok(Self {
            aead: XChaCha20Poly1305::new(Key::from_slice(&bytes)),
        })
    }

    /// Reads the key file, or creates it (mode 0600) with a fresh random key.
    /// Returns whether it was created, so the caller can warn.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), CryptoError> {
        let io = |source| CryptoError::KeyFile {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(s) => Ok((Self::from_base64(&s)?, false)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = XChaCha20Poly1305::generate_key(&mut OsRng);
                let encoded = STANDARD.encode(key);
                write_private(path, encoded.as_bytes()).map_err(io)?;
                Ok((Self::from_base64(&encoded)?, true))
            }
            Err(e) => Err(io(e)),
        }
    }

    pub fn encrypt(&self, plaintext: &SecretString, context: &str) -> Vec<u8> {
        self.seal(plaintext.expose_secret().as_bytes(), context)
    }

    pub fn decrypt(&self, data: &[u8], context: &str) -> Result<SecretString, CryptoError> {
        String::from_utf8(self.open(data, context)?)
            .map(SecretString::from)
            .map_err(|_| CryptoError::Decrypt)
    }

    /// Encrypts and authenticates `plaintext` bound to `context` (associated data):
    /// `nonce || ciphertext`. Each use (tokens, pending sign-ins) has its own context, so
    /// a value sealed for one is refused by another.
    pub fn seal(&self, plaintext: &[u8], context: &str) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let payload = Payload {
            msg: plaintext,
            aad: context.as_bytes(),
        };
        // Encryption of an in-memory buffer only fails past ~256 GiB.
        let ct = self.aead.encrypt(&nonce, payload).unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        out
    }

    /// Reverses [`TokenCipher::seal`]; fails if the data was altered, sealed under another
    /// key or for another context.
    pub fn open(&self, data: &[u8], context: &str) -> Result<Vec<u8>, CryptoError> {
        if data.len() < NONCE_LEN {
            return Err(CryptoError::Decrypt);
        }
        let (nonce, ct) = data.split_at(NONCE_LEN);
        self.aead
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Decrypt)
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher() -> TokenCipher {
        TokenCipher::from_base64(&STANDARD.encode([7u8; 32])).unwrap()
    }

    #[test]
    fn round_trips_and_hides_plaintext() {
        let c = cipher();
        let secret = SecretString::from("f5af9f51-07e6-4332-8f1a-c0c11c1e3728");
        let ct = c.encrypt(&secret, "0000-0002-1825-0097/access");
        assert!(!ct.windows(8).any(|w| w == b"f5af9f51"));
        assert_eq!(
            c.decrypt(&ct, "0000-0002-1825-0097/access")
                .unwrap()
                .expose_secret(),
            secret.expose_secret()
        );
        // Fresh nonce each time.
        assert_ne!(ct, c.encrypt(&secret, "0000-0002-1825-0097/access"));
    }

    #[test]
    fn wrong_context_key_or_tampering_fails() {
        let c = cipher();
        let ct = c.encrypt(&SecretString::from("abc"), "a");
        assert!(c.decrypt(&ct, "b").is_err());
        let other = TokenCipher::from_base64(&STANDARD.encode([8u8; 32])).unwrap();
        assert!(other.decrypt(&ct, "a").is_err());
        let mut bad = ct.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert!(c.decrypt(&bad, "a").is_err());
        assert!(c.decrypt(&ct[..10], "a").is_err());
    }

    #[test]
    fn key_must_be_32_bytes() {
        assert!(matches!(
            TokenCipher::from_base64("c2hvcnQ="),
            Err(CryptoError::KeyLength(5))
        ));
        assert!(matches!(
            TokenCipher::from_base64("***"),
            Err(CryptoError::KeyEncoding)
        ));
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token.key");
        let (a, created) = TokenCipher::load_or_create(&path).unwrap();
        assert!(created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let (b, created) = TokenCipher::load_or_create(&path).unwrap();
        assert!(!created);
        let ct = a.encrypt(&SecretString::from("x"), "c");
        assert_eq!(b.decrypt(&ct, "c").unwrap().expose_secret(), "x");
    }
}
