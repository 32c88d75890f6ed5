//! Fuzzes the WAL reader: arbitrary bytes as a segment file and as bare frames must never panic, and every record it yields must re-encode to exactly the bytes it was read from.

#![no_main]

use libfuzzer_sys::fuzz_target;

/// Decodes `decoder` to its end and checks what a correct reader promises.
fn check_decoder(bytes: &[u8], start: usize, first_lsn: u64, mut decoder: wal::RecordDecoder<'_>) {
    let mut reencoded = bytes[..start].to_vec();
    let mut expected_lsn = first_lsn;
    for record in decoder.by_ref() {
        assert_eq!(record.lsn, expected_lsn, "LSNs are consecutive");
        assert_eq!(
            record.frame_offset,
            reencoded.len(),
            "frames are contiguous"
        );
        wal::encode_record(record.lsn, record.payload, &mut reencoded);
        expected_lsn += 1;
    }
    let valid_len = decoder.valid_len();
    assert_eq!(
        &bytes[..valid_len],
        &reencoded[..],
        "intact records re-encode to the bytes they came from"
    );
    match decoder.end().expect("the decoder has finished") {
        wal::DecodeEnd::Clean => assert_eq!(valid_len, bytes.len()),
        wal::DecodeEnd::Torn { offset, .. } => {
            assert_eq!(offset, valid_len);
            assert!(offset < bytes.len(), "a torn frame starts inside the bytes");
        }
    }
    assert_eq!(decoder.next_lsn(), expected_lsn);
    assert!(
        decoder.next().is_none(),
        "a finished decoder stays finished"
    );
}

fuzz_target!(|bytes: &[u8]| {
    if let Ok((header, decoder)) = wal::decode_segment(bytes) {
        assert_eq!(
            &bytes[..wal::SEGMENT_HEADER_LEN],
            &wal::encode_segment_header(header.first_lsn)
        );
        check_decoder(bytes, wal::SEGMENT_HEADER_LEN, header.first_lsn, decoder);
    }
    // Bare frames, with the first LSN taken from the input so that the
    // checksum path is reached for many LSNs.
    let first_lsn = bytes.first().map_or(1, |&byte| u64::from(byte) + 1);
    check_decoder(bytes, 0, first_lsn, wal::decode_records(bytes, first_lsn));
    let _ = wal::decode_checkpoint(bytes);
});
