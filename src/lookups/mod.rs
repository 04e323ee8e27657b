//! What ORCID's Public API says about the iDs staff name for people idlink holds no
//! connection for: does the record exist, and what public name does it show, so staff
//! catch a wrong iD before anything is sent. [`public`] asks (one `/read-public` token and
//! one cache for all); [`background`] works through the iDs that rosters and bulk uploads
//! leave to be looked up, so a large file is stored without waiting on ORCID.

pub mod background;
pub mod public;

pub use background::Lookups;
pub use public::{Found, LookupFailed, PublicLookup};

/// The finding for a checksum-valid iD that ORCID has no record for.
pub fn no_record_message(id: &str) -> String {
    format!("No ORCID record: ORCID has no record with the iD {id}. Check it with the person, or leave the iD out.")
}
