//! Demo mode: the simulated ORCID served on idlink's own listener at `/mock-orcid`, so a
//! first `cargo run` works with no ORCID credentials.

use std::path::{Path, PathBuf};

use orcid_sim::{MockClient, MockConfig, MockError, MockOrcid};

use crate::config::{Settings, MOCK_PATH};

/// The simulated ORCID for mock mode, with its key and state kept in the data folder
/// `dir` so demo sign-ins survive a restart.
pub fn start(settings: &Settings, dir: &Path) -> Result<MockOrcid, MockError> {
    MockOrcid::new(mock_config(
        settings,
        Some(dir.join("mock-orcid-key.pem")),
        Some(dir.join("mock-orcid-state.json")),
    ))
}

/// The simulated ORCID's settings for this app: the demo client, registered with this
/// app's redirect URI.
pub fn mock_config(
    settings: &Settings,
    key_file: Option<PathBuf>,
    state_file: Option<PathBuf>,
) -> MockConfig {
    MockConfig {
        base_url: format!(
            "{}{MOCK_PATH}",
            settings.public_url.as_str().trim_end_matches('/')
        ),
        clients: vec![MockClient {
            client_id: settings.client_id.clone(),
            client_secret: secrecy::ExposeSecret::expose_secret(&settings.client_secret)
                .to_string(),
            name: settings.institution_name.clone(),
            // Only idlink's own callback: any other redirect_uri gets the simulated
            // ORCID's error page, so a code never reaches another site (the demo
            // client's secret is public).
            redirect_uris: vec![settings.redirect_uri()],
        }],
        key_file,
        state_file,
    }
}
