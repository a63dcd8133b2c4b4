/// The kinds of file that can be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mime {
    Jpeg,
    Png,
    Pdf,
}

impl Mime {
    pub fn as_str(self) -> &'static str {
        match self {
            Mime::Jpeg => "image/jpeg",
            Mime::Png => "image/png",
            Mime::Pdf => "application/pdf",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Mime::Jpeg => "jpg",
            Mime::Png => "png",
            Mime::Pdf => "pdf",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Sniffed {
    Empty,
    Supported(Mime),
    Heic,
    /// Something recognised but not taken, as a message phrase ("a GIF image").
    Other(&'static str),
}

/// The file's type from its first bytes. The name a file arrives with is never trusted: renaming
/// a file changes nothing here.
pub(crate) fn sniff(bytes: &[u8]) -> Sniffed {
    if bytes.is_empty() {
        return Sniffed::Empty;
    }
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Sniffed::Supported(Mime::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Sniffed::Supported(Mime::Png);
    }
    if starts(b"%PDF-") {
        return Sniffed::Supported(Mime::Pdf);
    }
    // ISO base media files (HEIC, AVIF): a box size, then "ftyp" and the major brand.
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return match &bytes[8..12] {
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => Sniffed::Heic,
            b"avif" | b"avis" => Sniffed::Other("an AVIF image"),
            _ => Sniffed::Other("a video or other media file"),
        };
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Sniffed::Other("a GIF image");
    }
    if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
        return Sniffed::Other("a WebP image");
    }
    if starts(b"II*\0") || starts(b"MM\0*") {
        return Sniffed::Other("a TIFF image");
    }
    if starts(b"BM") {
        return Sniffed::Other("a BMP image");
    }
    if starts(b"PK\x03\x04") {
        return Sniffed::Other("a Word, Excel or PowerPoint file, or another zipped file");
    }
    if starts(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Sniffed::Other("an older Word, Excel or PowerPoint file");
    }
    Sniffed::Other("not a photo or document this app recognises")
}
