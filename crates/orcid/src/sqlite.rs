//! `OrcidId` as a SQLite column (feature `sqlx`): stored as its canonical text, and read
//! back only through [`OrcidId::parse`], so a malformed value in the database is an error
//! that names it rather than a silently different iD.

use std::borrow::Cow;

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::sqlite::{Sqlite, SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Type};

use crate::{OrcidId, OrcidIdError};

/// A stored value that is not a valid iD.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stored ORCID iD {value:?} is malformed: {source}")]
pub struct StoredOrcidIdError {
    pub value: String,
    #[source]
    pub source: OrcidIdError,
}

impl Type<Sqlite> for OrcidId {
    fn type_info() -> SqliteTypeInfo {
        <str as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <str as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for OrcidId {
    fn encode_by_ref(
        &self,
        args: &mut Vec<SqliteArgumentValue<'q>>,
    ) -> Result<IsNull, BoxDynError> {
        args.push(SqliteArgumentValue::Text(Cow::Owned(
            self.as_str().to_owned(),
        )));
        Ok(IsNull::No)
    }
}

impl<'r> Decode<'r, Sqlite> for OrcidId {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        // Stored iDs are canonical: anything else (even a URI form `parse` would accept)
        // was not written by this type.
        match OrcidId::parse(text) {
            Ok(id) if id.as_str() == text => Ok(id),
            Ok(_) => Err(Box::new(StoredOrcidIdError {
                value: text.to_owned(),
                source: OrcidIdError::Format,
            })),
            Err(source) => Err(Box::new(StoredOrcidIdError {
                value: text.to_owned(),
                source,
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use sqlx::{Connection, SqliteConnection};

    use super::*;

    async fn read_back(stored: &str) -> Result<OrcidId, sqlx::Error> {
        let mut db = SqliteConnection::connect("sqlite::memory:").await?;
        sqlx::query_scalar("SELECT ?1")
            .bind(stored)
            .fetch_one(&mut db)
            .await
    }

    #[tokio::test]
    async fn round_trips_and_refuses_malformed_values() {
        let id = OrcidId::parse("0000-0002-1825-0097").unwrap();
        let mut db = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        let back: OrcidId = sqlx::query_scalar("SELECT ?1")
            .bind(id)
            .fetch_one(&mut db)
            .await
            .unwrap();
        assert_eq!(back, id);
        let text: String = sqlx::query_scalar("SELECT ?1")
            .bind(id)
            .fetch_one(&mut db)
            .await
            .unwrap();
        assert_eq!(text, "0000-0002-1825-0097");

        for bad in ["0000-0002-1825-0098", "not an id", "0000000218250097"] {
            let err = read_back(bad).await.unwrap_err().to_string();
            assert!(err.contains(bad), "{err}");
        }
    }
}
