//! Demo mode: the simulated ORCID served on idlink's own listener at `/mock-orcid`, so a
//! first `cargo run` works with no ORCID credentials.

use std::path::PathBuf;

use orcid_sim::{MockClient, MockConfig, MockOrcid};

use crate::config::{OrcidEnv, Settings, MOCK_PATH};
use crate::state::{data_dir, StartError};

/// In mock mode, the simulated ORCID with its key and state kept in the data folder so
/// demo sign-ins survive a restart; otherwise nothing.
pub fn start(settings: &Settings) -> Result<Option<MockOrcid>, StartError> {
    if settings.orcid_env != OrcidEnv::Mock {
        return Ok(None);
    }
    let dir = data_dir(&settings.database_path)?;
    let sim = MockOrcid::new(mock_config(
        settings,
        Some(dir.join("mock-orcid-key.pem")),
        Some(dir.join("mock-orcid-state.json")),
    ))?;
    Ok(Some(sim))
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
            redirect_uris: vec![],
        }],
        key_file,
        state_file,
    }
}
