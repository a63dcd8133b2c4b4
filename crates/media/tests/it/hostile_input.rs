//! Whatever bytes arrive, the pipeline answers with a safe file or a typed error: never a panic
//! (a panic in the app's command would lose the person's other work in progress).
use proptest::prelude::*;

use crate::common::*;

fn answers(bytes: &[u8]) {
    match make_safe(bytes, "input", &Options::default(), true) {
        Ok(safe) => assert!(!safe.bytes.is_empty()),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_behind_each_signature_never_panic(
        kind in 0usize..4,
        tail in proptest::collection::vec(any::<u8>(), 0..4096),
    ) {
        let head: &[u8] = [&b"\xFF\xD8\xFF"[..], b"\x89PNG\r\n\x1a\n", b"%PDF-1.7\n", b"\x00\x00\x00\x18ftypheic"][kind];
        let mut bytes = head.to_vec();
        bytes.extend_from_slice(&tail);
        answers(&bytes);
    }

    #[test]
    fn real_files_with_bytes_changed_never_panic(
        kind in 0usize..3,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..24),
        cut in any::<prop::sample::Index>(),
        do_cut in any::<bool>(),
    ) {
        let mut bytes = match kind {
            0 => fixture("progressive.jpg"),
            1 => png(&DynamicImage::ImageRgb8(marked_picture(48, 32))),
            _ => b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n4 0 obj\n<< /Filter /FlateDecode >>\nstream\nx\x9c\x0b\xc9\xc8,V\x00\xa2D\x85\x92\xd4\x8a\x12\x00G\xc4\x06\xf5\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".to_vec(),
        };
        // Keep the signature so the file reaches its decoder; change bytes after it.
        for (at, value) in flips {
            let i = 8 + at.index(bytes.len() - 8);
            bytes[i] = value;
        }
        if do_cut {
            bytes.truncate(8 + cut.index(bytes.len() - 8));
        }
        answers(&bytes);
    }
}
