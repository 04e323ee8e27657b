//! Works in the state file: written works survive a restart, seeded ones are regenerated
//! rather than stored, and a removed seeded work stays removed.

use reqwest::StatusCode;

use super::api_test_support::*;
use super::test_harness::*;
use super::{PROLIFIC_AUTHOR_ORCID, PROLIFIC_AUTHOR_WORKS, SOFIA_GARCIA_ORCID};

async fn with_state_file(path: &std::path::Path) -> Harness {
    let p = path.to_owned();
    Harness::start_with(move |cfg| cfg.state_file = Some(p)).await
}

#[tokio::test]
async fn written_works_survive_a_restart_and_seeds_are_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let h = with_state_file(&path).await;
    let (id, token) = researcher_with_token(&h).await;
    let pc = post_work(&h, &id, &token, &work("Kept", "10.5555/kept"))
        .await
        .put_code();
    let sofia = seeded(SOFIA_GARCIA_ORCID);
    assert!(h.mock.remove_work(&sofia, 1_000_003));
    let seeded_count = h.mock.works_of(&sofia);
    drop(h);

    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("Kept"));
    assert!(
        !text.contains("Plentiful"),
        "seeded works were written to the state file"
    );
    assert!(text.len() < 20_000, "state file is {} bytes", text.len());

    let again = with_state_file(&path).await;
    assert_eq!(again.mock.works_of(&id), 1);
    assert_eq!(again.mock.works_of(&sofia), seeded_count);
    assert_eq!(
        again.mock.works_of(&seeded(PROLIFIC_AUTHOR_ORCID)),
        PROLIFIC_AUTHOR_WORKS
    );
    let resp = get(&again, &format!("/v3.0/{id}/work/{pc}"), &token).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text);
    assert_eq!(resp.json()["title"]["title"]["value"], "Kept");
    // Put-codes keep increasing after a restart, and duplicates are still detected.
    assert_error(
        &post_work(&again, &id, &token, &work("Again", "10.5555/KEPT")).await,
        409,
        9021,
    );
    let next = post_work(&again, &id, &token, &work("Next", "10.5555/next"))
        .await
        .put_code();
    assert!(next > pc);
}
