//! How much an upload may contain, checked by a pass over the raw bytes before any row is
//! built: a three-megabyte header of a million empty columns costs nothing to count, but
//! a great deal to hold as a record.

use super::FileError;

pub use crate::config::UploadLimits as Limits;

/// Counts records and their values with `csv_core`, which copies each value into a small
/// scratch buffer (long values spill over and are dropped) and allocates nothing, and
/// stops at the first record past a limit.
pub fn check(bytes: &[u8], limits: &Limits) -> Result<(), FileError> {
    let mut reader = csv_core::Reader::new();
    let mut scratch = [0u8; 1024];
    let mut input = bytes;
    let mut records = 0usize;
    let mut fields = 0usize;
    loop {
        let (result, read, _) = reader.read_field(input, &mut scratch);
        input = &input[read..];
        match result {
            csv_core::ReadFieldResult::InputEmpty | csv_core::ReadFieldResult::OutputFull => {}
            csv_core::ReadFieldResult::Field { record_end } => {
                fields += 1;
                if fields > limits.max_columns {
                    return Err(FileError::TooManyColumns {
                        line: records + 1,
                        max: limits.max_columns,
                    });
                }
                if record_end {
                    records += 1;
                    fields = 0;
                    // The first record is the header.
                    if records > limits.max_rows.saturating_add(1) {
                        return Err(FileError::TooManyRows {
                            max: limits.max_rows,
                        });
                    }
                }
            }
            csv_core::ReadFieldResult::End => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_rows: 3,
        max_columns: 4,
    };

    #[test]
    fn files_within_the_limits_pass() {
        assert_eq!(
            check(b"a,b,c,d\n1,2,3,4\n\n5,6,7,8\n9,\"1,0\",1,2", &LIMITS),
            Ok(())
        );
        assert_eq!(check(b"", &LIMITS), Ok(()));
    }

    #[test]
    fn too_many_columns_anywhere_are_refused() {
        assert_eq!(
            check(b"a,b,c,d,e\n", &LIMITS),
            Err(FileError::TooManyColumns { line: 1, max: 4 })
        );
        assert_eq!(
            check(b"a,b\n1,2\n1,2,3,4,5", &LIMITS),
            Err(FileError::TooManyColumns { line: 3, max: 4 })
        );
        let wide = ",".repeat(1_000_000);
        assert!(matches!(
            check(wide.as_bytes(), &LIMITS),
            Err(FileError::TooManyColumns { .. })
        ));
    }

    #[test]
    fn too_many_rows_are_refused() {
        assert_eq!(check(b"h\n1\n2\n3\n", &LIMITS), Ok(()));
        assert_eq!(
            check(b"h\n1\n2\n3\n4", &LIMITS),
            Err(FileError::TooManyRows { max: 3 })
        );
    }
}
