//! The ORCID iD: the only way an iD enters idlink is through [`OrcidId::parse`].

use std::fmt;
use std::str::FromStr;

/// A syntactically valid ORCID iD (`0000-0002-1825-0097`) whose ISO 7064 MOD 11-2
/// check digit is right. Stored and compared in the canonical hyphenated form.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrcidId([u8; 19]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrcidIdError {
    #[error("an ORCID iD has 16 characters in four groups, like 0000-0002-1825-0097")]
    Format,
    #[error("this ORCID iD has a wrong check digit (last character); please copy it again")]
    Checksum,
}

impl OrcidId {
    /// Accepts the bare iD (`0000-0002-1825-0097`), the 16 characters without hyphens,
    /// or an `https://orcid.org/…` / `https://sandbox.orcid.org/…` URI. A lower-case `x`
    /// check digit is upper-cased, as ORCID writes it.
    pub fn parse(input: &str) -> Result<Self, OrcidIdError> {
        let s = input.trim();
        let s = ["https://", "http://"]
            .iter()
            .find_map(|p| s.strip_prefix(p))
            .map(|rest| {
                rest.strip_prefix("www.")
                    .unwrap_or(rest)
                    .trim_start_matches("sandbox.")
                    .strip_prefix("orcid.org/")
                    .unwrap_or("")
            })
            .unwrap_or(s)
            .trim_end_matches('/');
        let chars: Vec<char> = s.chars().filter(|c| *c != '-').collect();
        let hyphens_ok =
            s.len() == 16 || (s.len() == 19 && [4, 9, 14].iter().all(|&i| s.as_bytes()[i] == b'-'));
        if chars.len() != 16 || !hyphens_ok {
            return Err(OrcidIdError::Format);
        }
        let mut digits = [0u8; 16];
        for (i, c) in chars.iter().enumerate() {
            digits[i] = match c {
                '0'..='9' => *c as u8,
                'x' | 'X' if i == 15 => b'X',
                _ => return Err(OrcidIdError::Format),
            };
        }
        if check_digit(&digits[..15]) != digits[15] {
            return Err(OrcidIdError::Checksum);
        }
        let mut out = [b'-'; 19];
        for (i, d) in digits.iter().enumerate() {
            out[i + i / 4] = *d;
        }
        Ok(OrcidId(out))
    }

    /// Builds a valid iD from its first 15 digits by computing the check digit; used to
    /// mint test researchers in the simulated ORCID.
    pub fn from_base_digits(base: u64) -> Self {
        let raw = format!("{:015}", base % 1_000_000_000_000_000);
        let mut digits = [0u8; 16];
        digits[..15].copy_from_slice(raw.as_bytes());
        digits[15] = check_digit(&digits[..15]);
        let mut out = [b'-'; 19];
        for (i, d) in digits.iter().enumerate() {
            out[i + i / 4] = *d;
        }
        OrcidId(out)
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits, 'X' and '-' are ever written into the array.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// ISO 7064 MOD 11-2 over ASCII digits, as ORCID computes it.
fn check_digit(base: &[u8]) -> u8 {
    let total = base
        .iter()
        .fold(0u32, |acc, d| (acc + u32::from(d - b'0')) * 2);
    match (12 - total % 11) % 11 {
        10 => b'X',
        r => b'0' + r as u8,
    }
}

impl fmt::Display for OrcidId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for OrcidId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrcidId({})", self.as_str())
    }
}

impl FromStr for OrcidId {
    type Err = OrcidIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for OrcidId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for OrcidId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        OrcidId::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_documented_valid_ids() {
        for id in [
            "0000-0001-2345-6789",
            "0000-0002-1825-0097",
            "0000-0002-4325-871X",
            "0000-0002-1694-233X",
            "0000-0002-5391-5437",
            "0000-0001-5727-2427",
            "8888-8888-8888-8880",
        ] {
            assert_eq!(OrcidId::parse(id).unwrap().as_str(), id);
        }
    }

    #[test]
    fn normalises_uri_compact_and_lower_x() {
        let want = "0000-0002-4325-871X";
        for input in [
            "https://orcid.org/0000-0002-4325-871X",
            "https://sandbox.orcid.org/0000-0002-4325-871x",
            "http://orcid.org/0000-0002-4325-871X/",
            "000000024325871x",
            " 0000-0002-4325-871X ",
        ] {
            assert_eq!(OrcidId::parse(input).unwrap().as_str(), want, "{input}");
        }
    }

    #[test]
    fn rejects_bad_checksum_and_format() {
        assert_eq!(
            OrcidId::parse("0000-0002-1825-0098"),
            Err(OrcidIdError::Checksum)
        );
        assert_eq!(
            OrcidId::parse("0000-0002-4325-8710"),
            Err(OrcidIdError::Checksum)
        );
        for bad in [
            "",
            "0000-0002-1825-009",
            "0000-0002-1825-00970",
            "0000-000X-1825-0097",
            "00000-002-1825-0097",
            "0000 0002 1825 0097",
            "https://example.org/0000-0002-1825-0097",
            "0000-0002-1825-009７",
            "000é0002-1825-0097",
        ] {
            assert_eq!(OrcidId::parse(bad), Err(OrcidIdError::Format), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn minted_ids_round_trip(base in 0u64..1_000_000_000_000_000) {
            let id = OrcidId::from_base_digits(base);
            prop_assert_eq!(OrcidId::parse(id.as_str()), Ok(id));
        }

        #[test]
        fn any_single_digit_change_is_caught(base in 0u64..1_000_000_000_000_000, pos in 0usize..15, delta in 1u8..10) {
            let id = OrcidId::from_base_digits(base);
            let mut bytes = id.as_str().as_bytes().to_vec();
            let idx = pos + pos / 4;
            bytes[idx] = b'0' + (bytes[idx] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(OrcidId::parse(&changed), Err(OrcidIdError::Checksum));
        }

        #[test]
        fn arbitrary_strings_never_panic(s in ".{0,40}") {
            let _ = OrcidId::parse(&s);
        }
    }
}
