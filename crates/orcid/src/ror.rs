//! ROR ids (<https://ror.org>): `0`, six Crockford base-32 characters and a two-digit
//! ISO 7064 MOD 97-10 checksum of the number they spell. ORCID wants them written in full,
//! `https://ror.org/05qwgg493` (orcid-api.md §11, `write-employment-3.0.json`).

const PREFIX: &str = "https://ror.org/";
/// Crockford's base 32: no I, L, O or U.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Why a text is not a ROR id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RorError {
    #[error("a ROR id is 9 characters starting with 0, such as 05qwgg493")]
    Shape,
    #[error("the ROR id's last two digits (its checksum) do not match; check for a typing error")]
    Checksum,
}

/// The full form `https://ror.org/0…` of a ROR id given bare (`05qwgg493`), as
/// `ror.org/05qwgg493`, or in full (http or https, any case, trailing slash allowed).
pub fn normalize(input: &str) -> Result<String, RorError> {
    let s = input.trim().trim_end_matches('/').to_ascii_lowercase();
    let bare = ["https://ror.org/", "http://ror.org/", "ror.org/"]
        .iter()
        .find_map(|p| s.strip_prefix(p))
        .unwrap_or(&s);
    let bytes = bare.as_bytes();
    if bytes.len() != 9
        || bytes[0] != b'0'
        || !bytes[7..].iter().all(u8::is_ascii_digit)
        || !bytes[..7].iter().all(|b| ALPHABET.contains(b))
    {
        return Err(RorError::Shape);
    }
    let number = bytes[..7].iter().fold(0u64, |n, b| {
        let digit = ALPHABET.iter().position(|a| a == b).unwrap_or(0) as u64;
        n * 32 + digit
    });
    let expected = 98 - (number * 100) % 97;
    if bare[7..].parse::<u64>().ok() != Some(expected) {
        return Err(RorError::Checksum);
    }
    Ok(format!("{PREFIX}{bare}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_ror_ids_are_valid_in_every_form() {
        for (input, full) in [
            ("05qwgg493", "https://ror.org/05qwgg493"),
            ("https://ror.org/04fa4r544", "https://ror.org/04fa4r544"),
            (" ror.org/021nxhr62/ ", "https://ror.org/021nxhr62"),
            ("HTTP://ROR.ORG/05QWGG493", "https://ror.org/05qwgg493"),
        ] {
            assert_eq!(normalize(input).as_deref(), Ok(full), "{input}");
        }
    }

    #[test]
    fn a_wrong_checksum_or_shape_is_refused() {
        assert_eq!(normalize("05qwgg494"), Err(RorError::Checksum));
        assert_eq!(
            normalize("https://ror.org/04fa4r545"),
            Err(RorError::Checksum)
        );
        for bad in [
            "",
            "5qwgg493",
            "05qwgg49",
            "05qwgg4933",
            "05qwig493",
            "15qwgg493",
            "https://example.org/05qwgg493",
        ] {
            assert_eq!(normalize(bad), Err(RorError::Shape), "{bad}");
        }
    }
}
