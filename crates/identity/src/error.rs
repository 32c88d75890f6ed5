//! The identity crate's one error type.

use crate::record::RecordId;

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("identity log line {line_number}: {reason}")]
    CorruptLine { line_number: usize, reason: String },
    #[error(
        "identity log line {line_number}: format version {found} is not supported (this build reads version {supported})"
    )]
    UnsupportedVersion {
        line_number: usize,
        found: u32,
        supported: u32,
    },
    #[error(
        "identity log line {line_number} is incomplete (a torn write); the log is whole up to byte {valid_len_bytes}"
    )]
    TornTail {
        line_number: usize,
        valid_len_bytes: usize,
    },
    #[error("identity log line {line_number}: expected record #{expected}, found #{found}")]
    SequenceGap {
        line_number: usize,
        expected: u64,
        found: u64,
    },
    #[error("identity record {record}: {reason}")]
    InvalidRecord { record: RecordId, reason: String },
    #[error("record {0} is not a link, so it cannot be split")]
    NotALink(RecordId),
    #[error("record {0} does not exist")]
    UnknownRecord(RecordId),
    #[error("identity {0:?} is a placeholder (junk) id and links nothing")]
    JunkIdentity(String),
}
