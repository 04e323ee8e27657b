//! `INVITE_TTL_DAYS`, `REMIND_AFTER_DAYS` and `REMIND_MAX`: how long an invitation link
//! works and how often a person who has not connected is reminded.

use clap::Args;

/// As typed (flattened into [`super::Config`]).
#[derive(Debug, Clone, Args)]
pub struct InviteInput {
    /// Days an invitation link works after it is sent (1 to 365); afterwards it shows a
    /// page asking the person to contact the institution.
    #[arg(long, env = "INVITE_TTL_DAYS", default_value_t = 30)]
    pub invite_ttl_days: u32,

    /// Days after an invitation (or its latest reminder) before a person who has not
    /// connected is reminded (1 to 365).
    #[arg(long, env = "REMIND_AFTER_DAYS", default_value_t = 7)]
    pub remind_after_days: u32,

    /// Reminders sent at most per invitation (0 to 10; 0: none). Nobody is reminded
    /// after connecting or asking for no more emails.
    #[arg(long, env = "REMIND_MAX", default_value_t = 2)]
    pub remind_max: u32,
}

/// The checked invitation settings, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InviteSettings {
    pub ttl_secs: i64,
    pub remind_after_secs: i64,
    pub remind_max: i64,
}

const DAY: i64 = 24 * 60 * 60;

impl InviteInput {
    pub fn resolve(&self) -> Result<InviteSettings, String> {
        if !(1..=365).contains(&self.invite_ttl_days) {
            return Err("INVITE_TTL_DAYS must be between 1 and 365".into());
        }
        if !(1..=365).contains(&self.remind_after_days) {
            return Err("REMIND_AFTER_DAYS must be between 1 and 365".into());
        }
        if self.remind_max > 10 {
            return Err("REMIND_MAX must be between 0 and 10".into());
        }
        if self.remind_max > 0 && self.remind_after_days >= self.invite_ttl_days {
            return Err(format!(
                "REMIND_AFTER_DAYS ({}) must be shorter than INVITE_TTL_DAYS ({}): a reminder would arrive after its link expired",
                self.remind_after_days, self.invite_ttl_days
            ));
        }
        Ok(InviteSettings {
            ttl_secs: i64::from(self.invite_ttl_days) * DAY,
            remind_after_secs: i64::from(self.remind_after_days) * DAY,
            remind_max: i64::from(self.remind_max),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(ttl: u32, after: u32, max: u32) -> InviteInput {
        InviteInput {
            invite_ttl_days: ttl,
            remind_after_days: after,
            remind_max: max,
        }
    }

    #[test]
    fn defaults_resolve_and_bad_values_name_the_setting() {
        let s = input(30, 7, 2).resolve().unwrap();
        assert_eq!(s.ttl_secs, 30 * DAY);
        assert_eq!(s.remind_max, 2);
        assert!(input(0, 7, 2)
            .resolve()
            .unwrap_err()
            .contains("INVITE_TTL_DAYS"));
        assert!(input(30, 0, 2)
            .resolve()
            .unwrap_err()
            .contains("REMIND_AFTER_DAYS"));
        assert!(input(30, 7, 11)
            .resolve()
            .unwrap_err()
            .contains("REMIND_MAX"));
        assert!(input(7, 7, 1).resolve().unwrap_err().contains("shorter"));
        assert!(input(7, 7, 0).resolve().is_ok());
    }
}
