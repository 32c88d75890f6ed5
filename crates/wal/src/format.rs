//! The on-disk format: segment headers, record frames and the checkpoint file, encoded and decoded without I/O.
//!
//! Everything here works on byte slices so that recovery, the tests and the
//! fuzz target all run the same reader code.

use crate::Lsn;

/// The version of the segment and checkpoint format written by this crate.
pub const FORMAT_VERSION: u32 = 1;

/// The first four bytes of every segment file.
pub const SEGMENT_MAGIC: [u8; 4] = *b"TPWL";

/// The first four bytes of the checkpoint file.
pub const CHECKPOINT_MAGIC: [u8; 4] = *b"TPWC";

/// Bytes of a segment header: magic, format version, first LSN, header CRC.
pub const SEGMENT_HEADER_LEN: usize = 4 + 4 + 8 + 4;

/// Bytes of a frame header: payload length and CRC.
pub const FRAME_HEADER_LEN: usize = 4 + 4;

/// Bytes of the checkpoint file: magic, format version, trimmed LSN, CRC.
pub const CHECKPOINT_LEN: usize = 4 + 4 + 8 + 4;

/// The CRC32C stored in a frame: over the payload, then the payload length
/// (u32 LE), then the record's LSN (u64 LE).
///
/// The LSN is not stored in the frame but is part of the checksum, so a
/// frame read at a position that implies another LSN (a stale or shifted
/// copy) fails its check.
pub fn frame_crc(payload_crc: u32, payload_len: u32, lsn: Lsn) -> u32 {
    let mut suffix = [0_u8; 12];
    suffix[..4].copy_from_slice(&payload_len.to_le_bytes());
    suffix[4..].copy_from_slice(&lsn.to_le_bytes());
    crc32c::crc32c_append(payload_crc, &suffix)
}

/// Appends the frame of one record to `out`.
///
/// Panics if the payload is longer than `u32::MAX` bytes; `Wal::append`
/// rejects such payloads before they get here.
pub fn encode_record(lsn: Lsn, payload: &[u8], out: &mut Vec<u8>) {
    encode_record_with_payload_crc(lsn, payload, crc32c::crc32c(payload), out);
}

/// Like [`encode_record`] with the payload's CRC32C computed by the caller
/// (the WAL computes it outside its lock).
pub(crate) fn encode_record_with_payload_crc(
    lsn: Lsn,
    payload: &[u8],
    payload_crc: u32,
    out: &mut Vec<u8>,
) {
    let payload_len =
        u32::try_from(payload.len()).expect("payload length was checked against u32::MAX");
    out.extend_from_slice(&payload_len.to_le_bytes());
    out.extend_from_slice(&frame_crc(payload_crc, payload_len, lsn).to_le_bytes());
    out.extend_from_slice(payload);
}

/// The header at the start of every segment file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentHeader {
    pub format_version: u32,
    /// The LSN of the segment's first record (also in the file name).
    pub first_lsn: Lsn,
}

/// Why a segment header was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderError {
    /// Fewer bytes than a header.
    Incomplete,
    /// The header is all zero bytes: a file created but never written.
    Zeroed,
    BadMagic,
    BadChecksum,
    UnsupportedVersion(u32),
    /// LSN 0 is never used, and LSNs near `u64::MAX` would overflow.
    InvalidFirstLsn(Lsn),
}

impl std::fmt::Display for HeaderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeaderError::Incomplete => write!(f, "segment header is incomplete"),
            HeaderError::Zeroed => write!(f, "segment header is all zero bytes"),
            HeaderError::BadMagic => write!(f, "segment header has the wrong magic bytes"),
            HeaderError::BadChecksum => write!(f, "segment header checksum mismatch"),
            HeaderError::UnsupportedVersion(version) => {
                write!(
                    f,
                    "segment format version {version} is not supported (this build reads {FORMAT_VERSION})"
                )
            }
            HeaderError::InvalidFirstLsn(lsn) => {
                write!(f, "segment header names invalid first LSN {lsn}")
            }
        }
    }
}

/// The largest LSN a segment may start at; keeps `first_lsn + records` far
/// from overflow.
pub const MAX_FIRST_LSN: Lsn = u64::MAX / 2;

/// Encodes the header of a segment whose first record has `first_lsn`.
pub fn encode_segment_header(first_lsn: Lsn) -> [u8; SEGMENT_HEADER_LEN] {
    let mut header = [0_u8; SEGMENT_HEADER_LEN];
    header[..4].copy_from_slice(&SEGMENT_MAGIC);
    header[4..8].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    header[8..16].copy_from_slice(&first_lsn.to_le_bytes());
    let crc = crc32c::crc32c(&header[..16]);
    header[16..].copy_from_slice(&crc.to_le_bytes());
    header
}

/// Decodes the header at the start of `segment`.
pub fn decode_segment_header(segment: &[u8]) -> Result<SegmentHeader, HeaderError> {
    let Some(header) = segment.get(..SEGMENT_HEADER_LEN) else {
        return Err(HeaderError::Incomplete);
    };
    if header.iter().all(|&byte| byte == 0) {
        return Err(HeaderError::Zeroed);
    }
    if header[..4] != SEGMENT_MAGIC {
        return Err(HeaderError::BadMagic);
    }
    if crc32c::crc32c(&header[..16]) != read_u32(&header[16..20]) {
        return Err(HeaderError::BadChecksum);
    }
    let format_version = read_u32(&header[4..8]);
    if format_version != FORMAT_VERSION {
        return Err(HeaderError::UnsupportedVersion(format_version));
    }
    let first_lsn = read_u64(&header[8..16]);
    if first_lsn == 0 || first_lsn > MAX_FIRST_LSN {
        return Err(HeaderError::InvalidFirstLsn(first_lsn));
    }
    Ok(SegmentHeader {
        format_version,
        first_lsn,
    })
}

/// Decodes a whole segment file: its header, then its records.
///
/// Offsets reported by the returned decoder count from the start of the
/// file, header included.
pub fn decode_segment(segment: &[u8]) -> Result<(SegmentHeader, RecordDecoder<'_>), HeaderError> {
    let header = decode_segment_header(segment)?;
    let decoder = RecordDecoder {
        bytes: segment,
        position: SEGMENT_HEADER_LEN,
        next_lsn: header.first_lsn,
        end: None,
    };
    Ok((header, decoder))
}

/// Decodes a run of record frames (no segment header) whose first record has
/// `first_lsn`. Offsets count from the start of `frames`.
pub fn decode_records(frames: &[u8], first_lsn: Lsn) -> RecordDecoder<'_> {
    RecordDecoder {
        bytes: frames,
        position: 0,
        next_lsn: first_lsn,
        end: None,
    }
}

/// One intact record found by a [`RecordDecoder`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodedRecord<'a> {
    pub lsn: Lsn,
    pub payload: &'a [u8],
    /// Where the record's frame starts in the decoded bytes.
    pub frame_offset: usize,
}

/// Why decoding stopped before the end of the bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TornReason {
    /// Fewer than 8 bytes left: not even a frame header.
    IncompleteFrameHeader,
    /// The frame's length runs past the end of the bytes.
    LengthBeyondEnd,
    /// The frame is complete but its CRC does not match.
    ChecksumMismatch,
    /// The next LSN would overflow `u64`.
    LsnOverflow,
}

impl std::fmt::Display for TornReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            TornReason::IncompleteFrameHeader => "incomplete frame header",
            TornReason::LengthBeyondEnd => "record length runs past the end of the file",
            TornReason::ChecksumMismatch => "record checksum mismatch",
            TornReason::LsnOverflow => "LSN overflow",
        };
        f.write_str(text)
    }
}

/// How a [`RecordDecoder`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeEnd {
    /// Every byte belonged to an intact record.
    Clean,
    /// The frame at `offset` is not intact; nothing from there on was
    /// yielded.
    Torn { offset: usize, reason: TornReason },
}

/// An iterator over the intact records of a byte slice, in LSN order,
/// stopping at the first frame that is not intact.
///
/// After it returned `None`, [`RecordDecoder::end`] says whether all bytes
/// were consumed or where and why decoding stopped.
#[derive(Clone, Debug)]
pub struct RecordDecoder<'a> {
    bytes: &'a [u8],
    position: usize,
    next_lsn: Lsn,
    end: Option<DecodeEnd>,
}

impl<'a> RecordDecoder<'a> {
    /// `None` while records remain to be read; then how decoding ended.
    pub fn end(&self) -> Option<DecodeEnd> {
        self.end
    }

    /// Bytes from the start up to the end of the last intact record read so
    /// far: the length to truncate a torn file to.
    pub fn valid_len(&self) -> usize {
        self.position
    }

    /// The LSN the next record would have.
    pub fn next_lsn(&self) -> Lsn {
        self.next_lsn
    }

    fn stop(&mut self, reason: TornReason) -> Option<DecodedRecord<'a>> {
        self.end = Some(DecodeEnd::Torn {
            offset: self.position,
            reason,
        });
        None
    }
}

impl<'a> Iterator for RecordDecoder<'a> {
    type Item = DecodedRecord<'a>;

    fn next(&mut self) -> Option<DecodedRecord<'a>> {
        if self.end.is_some() {
            return None;
        }
        let rest = &self.bytes[self.position..];
        if rest.is_empty() {
            self.end = Some(DecodeEnd::Clean);
            return None;
        }
        let Some(frame_header) = rest.get(..FRAME_HEADER_LEN) else {
            return self.stop(TornReason::IncompleteFrameHeader);
        };
        let payload_len = read_u32(&frame_header[..4]);
        let stored_crc = read_u32(&frame_header[4..8]);
        let payload_end = usize::try_from(payload_len)
            .ok()
            .and_then(|len| len.checked_add(FRAME_HEADER_LEN))
            .filter(|&end| end <= rest.len());
        let Some(payload_end) = payload_end else {
            return self.stop(TornReason::LengthBeyondEnd);
        };
        let Some(lsn_after) = self.next_lsn.checked_add(1) else {
            return self.stop(TornReason::LsnOverflow);
        };
        let payload = &rest[FRAME_HEADER_LEN..payload_end];
        if frame_crc(crc32c::crc32c(payload), payload_len, self.next_lsn) != stored_crc {
            return self.stop(TornReason::ChecksumMismatch);
        }
        let record = DecodedRecord {
            lsn: self.next_lsn,
            payload,
            frame_offset: self.position,
        };
        self.position += payload_end;
        self.next_lsn = lsn_after;
        Some(record)
    }
}

/// Encodes the checkpoint file that says every record up to and including
/// `trimmed_lsn` has left the log.
pub fn encode_checkpoint(trimmed_lsn: Lsn) -> [u8; CHECKPOINT_LEN] {
    let mut checkpoint = [0_u8; CHECKPOINT_LEN];
    checkpoint[..4].copy_from_slice(&CHECKPOINT_MAGIC);
    checkpoint[4..8].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    checkpoint[8..16].copy_from_slice(&trimmed_lsn.to_le_bytes());
    let crc = crc32c::crc32c(&checkpoint[..16]);
    checkpoint[16..].copy_from_slice(&crc.to_le_bytes());
    checkpoint
}

/// Decodes a checkpoint file into its trimmed LSN, or says why it is not
/// one.
pub fn decode_checkpoint(bytes: &[u8]) -> Result<Lsn, &'static str> {
    if bytes.len() != CHECKPOINT_LEN {
        return Err("checkpoint has the wrong length");
    }
    if bytes[..4] != CHECKPOINT_MAGIC {
        return Err("checkpoint has the wrong magic bytes");
    }
    if crc32c::crc32c(&bytes[..16]) != read_u32(&bytes[16..20]) {
        return Err("checkpoint checksum mismatch");
    }
    if read_u32(&bytes[4..8]) != FORMAT_VERSION {
        return Err("checkpoint format version is not supported");
    }
    Ok(read_u64(&bytes[8..16]))
}

fn read_u32(bytes: &[u8]) -> u32 {
    u32::from_le_bytes(bytes.try_into().expect("caller passes exactly 4 bytes"))
}

fn read_u64(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(bytes.try_into().expect("caller passes exactly 8 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_known_answer() {
        // The check value of CRC-32C (Castagnoli) from the CRC catalogue.
        assert_eq!(crc32c::crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(crc32c::crc32c(b""), 0);
        assert_eq!(
            crc32c::crc32c_append(crc32c::crc32c(b"1234"), b"56789"),
            0xE306_9283
        );
    }

    fn frames(first_lsn: Lsn, payloads: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for (index, payload) in payloads.iter().enumerate() {
            encode_record(first_lsn + index as u64, payload, &mut out);
        }
        out
    }

    /// Decodes `bytes` from `first_lsn` and compares the payloads read and
    /// the way decoding ended.
    fn check(bytes: &[u8], first_lsn: Lsn, expected_payloads: &[&[u8]], expected_end: DecodeEnd) {
        let mut decoder = decode_records(bytes, first_lsn);
        let records: Vec<DecodedRecord<'_>> = decoder.by_ref().collect();
        let payloads: Vec<&[u8]> = records.iter().map(|record| record.payload).collect();
        assert_eq!(payloads, expected_payloads);
        for (index, record) in records.iter().enumerate() {
            assert_eq!(record.lsn, first_lsn + index as u64);
        }
        assert_eq!(decoder.end(), Some(expected_end));
        assert_eq!(decoder.next(), None, "a finished decoder stays finished");
    }

    #[test]
    fn decoder_cases() {
        let two = frames(5, &[b"ab", b"cde"]);
        let first_frame_len = FRAME_HEADER_LEN + 2;
        check(&[], 1, &[], DecodeEnd::Clean);
        check(&two, 5, &[b"ab", b"cde"], DecodeEnd::Clean);
        check(&frames(1, &[b""]), 1, &[b""], DecodeEnd::Clean);
        // The same bytes read as if they started at another LSN fail the CRC.
        check(
            &two,
            6,
            &[],
            DecodeEnd::Torn {
                offset: 0,
                reason: TornReason::ChecksumMismatch,
            },
        );
        check(
            &two[..first_frame_len + 3],
            5,
            &[b"ab"],
            DecodeEnd::Torn {
                offset: first_frame_len,
                reason: TornReason::IncompleteFrameHeader,
            },
        );
        check(
            &two[..two.len() - 1],
            5,
            &[b"ab"],
            DecodeEnd::Torn {
                offset: first_frame_len,
                reason: TornReason::LengthBeyondEnd,
            },
        );
        let mut flipped = two.clone();
        *flipped.last_mut().expect("frames are not empty") ^= 0x01;
        check(
            &flipped,
            5,
            &[b"ab"],
            DecodeEnd::Torn {
                offset: first_frame_len,
                reason: TornReason::ChecksumMismatch,
            },
        );
        let zeros = [0_u8; 16];
        check(
            &zeros,
            1,
            &[],
            DecodeEnd::Torn {
                offset: 0,
                reason: TornReason::ChecksumMismatch,
            },
        );
        let huge_len = [0xFF_u8; 8];
        check(
            &huge_len,
            1,
            &[],
            DecodeEnd::Torn {
                offset: 0,
                reason: TornReason::LengthBeyondEnd,
            },
        );
        check(
            &frames(u64::MAX, &[b"x"]),
            u64::MAX,
            &[],
            DecodeEnd::Torn {
                offset: 0,
                reason: TornReason::LsnOverflow,
            },
        );
    }

    #[test]
    fn segment_header_round_trip_and_rejections() {
        let header = encode_segment_header(42);
        assert_eq!(
            decode_segment_header(&header),
            Ok(SegmentHeader {
                format_version: FORMAT_VERSION,
                first_lsn: 42
            })
        );
        assert_eq!(
            decode_segment_header(&header[..19]),
            Err(HeaderError::Incomplete)
        );
        assert_eq!(
            decode_segment_header(&[0_u8; SEGMENT_HEADER_LEN]),
            Err(HeaderError::Zeroed)
        );
        let mut bad_magic = header;
        bad_magic[0] = b'X';
        assert_eq!(
            decode_segment_header(&bad_magic),
            Err(HeaderError::BadMagic)
        );
        let mut bad_lsn = header;
        bad_lsn[8] ^= 1;
        assert_eq!(
            decode_segment_header(&bad_lsn),
            Err(HeaderError::BadChecksum)
        );
        assert_eq!(
            decode_segment_header(&encode_segment_header(0)),
            Err(HeaderError::InvalidFirstLsn(0))
        );
    }

    #[test]
    fn decode_segment_offsets_count_the_header() {
        let mut segment = encode_segment_header(7).to_vec();
        segment.extend_from_slice(&frames(7, &[b"one", b"two"]));
        let (header, decoder) = decode_segment(&segment).expect("valid header");
        assert_eq!(header.first_lsn, 7);
        let records: Vec<_> = decoder.collect();
        assert_eq!(records[0].frame_offset, SEGMENT_HEADER_LEN);
        assert_eq!(
            records[1].frame_offset,
            SEGMENT_HEADER_LEN + FRAME_HEADER_LEN + 3
        );
        assert_eq!(records[1].lsn, 8);
    }

    #[test]
    fn checkpoint_round_trip_and_rejections() {
        let checkpoint = encode_checkpoint(123);
        assert_eq!(decode_checkpoint(&checkpoint), Ok(123));
        assert!(decode_checkpoint(&checkpoint[..19]).is_err());
        let mut flipped = checkpoint;
        flipped[9] ^= 4;
        assert!(decode_checkpoint(&flipped).is_err());
    }
}
