//! The affiliations strategy: ORCID has no bulk endpoint for affiliations, so each item is
//! one request, through the shared limiter at bulk priority.

use super::{Done, Unit};
use crate::store::JobItem;

impl Unit<'_> {
    pub(super) async fn push_affiliations(&self, items: Vec<JobItem>) -> Done {
        self.fail(&items, "not yet").await
    }
}
