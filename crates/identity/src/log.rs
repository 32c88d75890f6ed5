//! The identity log's text form, one record a line, for the store to append
//! to a file and to replay:
//!
//! ```text
//! v1 <record id> <CRC-32C of the JSON, 8 hex digits> <record as JSON>\n
//! ```
//!
//! The version leads every line so that a log can be read line by line and
//! appended to by a later build; the checksum catches a damaged line that
//! would still parse. The JSON after the third space is the `Record`'s serde
//! form, readable with `jq` after `cut -d' ' -f4-`.

use crate::error::IdentityError;
use crate::record::{Record, RecordId};

/// The version of the line format this build writes and reads.
pub const LOG_FORMAT_VERSION: u32 = 1;

/// One record as a log line, with its trailing newline.
pub fn encode_record(id: RecordId, record: &Record) -> String {
    let json = serde_json::to_string(record).expect("a record always serialises");
    let checksum = crc32c::crc32c(json.as_bytes());
    format!("v{LOG_FORMAT_VERSION} {} {checksum:08x} {json}\n", id.0)
}

/// Encodes records numbered from `first`.
pub fn encode_records(first: RecordId, records: &[Record]) -> String {
    let mut text = String::new();
    for (offset, record) in records.iter().enumerate() {
        let id = RecordId(first.0 + offset as u64);
        text.push_str(&encode_record(id, record));
    }
    text
}

/// Decodes one line (without its newline). `line_number` counts from 1 and
/// only labels errors.
pub fn decode_line(line: &str, line_number: usize) -> Result<(RecordId, Record), IdentityError> {
    let corrupt = |reason: String| IdentityError::CorruptLine {
        line_number,
        reason,
    };
    let fields: Vec<&str> = line.splitn(4, ' ').collect();
    let [version, id_text, checksum_text, json] = fields[..] else {
        return Err(corrupt(format!(
            "expected `v<version> <id> <crc> <json>`, found {} of those 4 fields",
            fields.len()
        )));
    };
    let found = version
        .strip_prefix('v')
        .and_then(|digits| digits.parse::<u32>().ok())
        .ok_or_else(|| corrupt(format!("{version:?} is not a version tag like `v1`")))?;
    if found != LOG_FORMAT_VERSION {
        return Err(IdentityError::UnsupportedVersion {
            line_number,
            found,
            supported: LOG_FORMAT_VERSION,
        });
    }
    let id = id_text
        .parse::<u64>()
        .map_err(|_| corrupt(format!("record id {id_text:?} is not a number")))?;
    let checksum = (checksum_text.len() == 8)
        .then(|| u32::from_str_radix(checksum_text, 16).ok())
        .flatten()
        .ok_or_else(|| corrupt(format!("checksum {checksum_text:?} is not 8 hex digits")))?;
    let actual = crc32c::crc32c(json.as_bytes());
    if actual != checksum {
        return Err(corrupt(format!(
            "checksum mismatch: the line says {checksum:08x}, its JSON has {actual:08x}"
        )));
    }
    let record: Record = serde_json::from_str(json)
        .map_err(|error| corrupt(format!("the record does not parse: {error}")))?;
    Ok((RecordId(id), record))
}

/// Decodes a whole log: record ids must run 0, 1, 2, … A last line without
/// its newline that does not decode is reported as `TornTail` with the
/// length of the whole part, so that the store can truncate the log there;
/// any other bad line is an error of its own.
pub fn decode_log(text: &str) -> Result<Vec<Record>, IdentityError> {
    let mut records = Vec::new();
    let mut offset_bytes = 0;
    for (index, piece) in text.split_inclusive('\n').enumerate() {
        let line_number = index + 1;
        let complete = piece.ends_with('\n');
        let line = piece.strip_suffix('\n').unwrap_or(piece);
        let line = line.strip_suffix('\r').unwrap_or(line);
        let decoded = if line.is_empty() {
            Err(IdentityError::CorruptLine {
                line_number,
                reason: "empty line".into(),
            })
        } else {
            decode_line(line, line_number)
        };
        let (id, record) = match decoded {
            Ok(decoded) => decoded,
            Err(_) if !complete => {
                return Err(IdentityError::TornTail {
                    line_number,
                    valid_len_bytes: offset_bytes,
                });
            }
            Err(error) => return Err(error),
        };
        let expected = records.len() as u64;
        if id.0 != expected {
            return Err(IdentityError::SequenceGap {
                line_number,
                expected,
                found: id.0,
            });
        }
        records.push(record);
        offset_bytes += piece.len();
    }
    Ok(records)
}
