//! One-time messages shown on the next page after a redirect (post/redirect/get).

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::error::PageError;

const KEY: &str = "idlink.flash";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    /// `ok`, `warn` or `error`: the CSS class of the box.
    pub kind: String,
    pub message: String,
    /// An optional link: (href, label).
    pub link: Option<(String, String)>,
}

impl Flash {
    pub fn ok(message: impl Into<String>) -> Self {
        Self {
            kind: "ok".into(),
            message: message.into(),
            link: None,
        }
    }

    pub fn warn(message: impl Into<String>) -> Self {
        Self {
            kind: "warn".into(),
            message: message.into(),
            link: None,
        }
    }

    pub fn error(message: impl Into<String>) -> Self {
        Self {
            kind: "error".into(),
            message: message.into(),
            link: None,
        }
    }

    pub fn with_link(mut self, href: impl Into<String>, label: impl Into<String>) -> Self {
        self.link = Some((href.into(), label.into()));
        self
    }
}

pub async fn set(session: &Session, flash: Flash) -> Result<(), PageError> {
    session.insert(KEY, flash).await?;
    Ok(())
}

/// The pending message, removed as it is read. Looked up first: removing marks the session
/// changed (a database write), which a plain page view must not cost.
pub async fn take(session: &Session) -> Result<Option<Flash>, PageError> {
    if session.get::<Flash>(KEY).await?.is_none() {
        return Ok(None);
    }
    Ok(session.remove::<Flash>(KEY).await?)
}
