/// The one error type of qar-media. Each message names the file and says what to do, in words a
/// reviewer understands; nothing was kept when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    #[error("{name} is empty: there is nothing in the file to attach.")]
    Empty { name: String },
    #[error("{name} is {found}. QAR Field can attach photos as JPEG or PNG and documents as PDF: save or export it as one of those and attach it again.")]
    Unsupported { name: String, found: String },
    /// iPhones save HEIC by default; no decoder for it is available to this app offline.
    #[error("{name} is an iPhone photo in HEIC format, which QAR Field can't read. On the iPhone, choose Settings → Camera → Formats → Most Compatible so new photos are saved as JPEG. Photos already taken come across as JPEG when Settings → Photos → Transfer to Mac or PC is set to Automatic.")]
    Heic { name: String },
    #[error("{name} is too large: {detail}.")]
    TooLarge { name: String, detail: String },
    #[error("{name} looks damaged and can't be read ({detail}). Copy it from its source again, or take the photo again.")]
    Damaged { name: String, detail: String },
    /// A PDF carrying something that could run or unpack on the reader's computer.
    #[error("{name} contains {what}, which QAR Field does not keep. Print it to a new PDF (Print → Save as PDF) and attach that copy.")]
    ActiveContent { name: String, what: String },
    /// Encoding the cleaned pixels failed: not the person's file, but nothing was kept either.
    #[error("{name} could not be saved as a cleaned copy ({detail}). Nothing was attached; please try again.")]
    Encode { name: String, detail: String },
}

/// The declared name as a message shows it: the last path part, control characters removed,
/// cut to a length a message can carry, quoted.
pub(crate) fn display_name(declared: &str) -> String {
    let base = declared.rsplit(['/', '\\']).next().unwrap_or(declared);
    let clean: String = base.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim();
    if clean.is_empty() {
        return "This file".to_string();
    }
    const MAX: usize = 80;
    let mut shown: String = clean.chars().take(MAX).collect();
    if clean.chars().count() > MAX {
        shown.push('…');
    }
    format!("“{shown}”")
}
