//! What an invitation carries besides its code: the server's address (issue 21), so a person
//! installing the app needs no terminal, no environment variable and no address typed by hand.
//!
//! Two forms, both read by [`read_invitation`]:
//! - a link from the invitation e-mail, `qarfield://invite?server=<address>&code=<code>`, which
//!   the operating system hands to the app (the installers register the `qarfield` scheme);
//! - a code that carries its server, `<code>@<address>`, for pasting when links are blocked
//!   (`K7QF-MX2P-9TRA@qar.example.org`; an address without a scheme means https).
//!
//! A bare code is read as a code with no address.

/// The URL scheme the installers register for the app.
pub const LINK_SCHEME: &str = "qarfield";

/// An invitation as read from a link or a pasted code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct InvitationLink {
    /// `https://…` (or `http://…` for a server on this computer); `None` when only a code was given.
    pub server_url: Option<String>,
    pub code: String,
}

/// Why a link or code could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkProblem {
    NotAnInvitation,
    NoCode,
    BadAddress,
}

impl std::fmt::Display for LinkProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LinkProblem::NotAnInvitation => "This link is not a QAR Field invitation.",
            LinkProblem::NoCode => "This invitation has no code: ask your administrator for the invitation again.",
            LinkProblem::BadAddress => "The server address in this invitation is not a web address.",
        })
    }
}

/// The e-mail's link for `code` on `server_url`.
pub fn invitation_link(server_url: &str, code: &str) -> String {
    format!("{LINK_SCHEME}://invite?server={}&code={}", percent_encode(server_url.trim()), percent_encode(code.trim()))
}

/// The code with its server, for pasting: `<code>@<address>`.
pub fn code_with_server(server_url: &str, code: &str) -> String {
    let server = server_url.trim().trim_end_matches('/');
    let shown = server.strip_prefix("https://").unwrap_or(server);
    format!("{}@{shown}", code.trim())
}

/// Reads a link, a code with its server, or a bare code.
pub fn read_invitation(text: &str) -> Result<InvitationLink, LinkProblem> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix(&format!("{LINK_SCHEME}:")) {
        return read_link(rest.trim_start_matches('/'));
    }
    match text.split_once('@') {
        Some((code, server)) => Ok(InvitationLink { server_url: Some(server_address(server)?), code: non_empty_code(code)? }),
        None => Ok(InvitationLink { server_url: None, code: non_empty_code(text)? }),
    }
}

fn read_link(rest: &str) -> Result<InvitationLink, LinkProblem> {
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.trim_end_matches('/') != "invite" {
        return Err(LinkProblem::NotAnInvitation);
    }
    let mut server = None;
    let mut code = None;
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value).ok_or(LinkProblem::NotAnInvitation)?;
        match name {
            "server" if !value.trim().is_empty() => server = Some(server_address(&value)?),
            "code" => code = Some(value),
            _ => {}
        }
    }
    Ok(InvitationLink { server_url: server, code: non_empty_code(&code.unwrap_or_default())? })
}

fn non_empty_code(code: &str) -> Result<String, LinkProblem> {
    let code = code.trim();
    if code.is_empty() {
        Err(LinkProblem::NoCode)
    } else {
        Ok(code.to_owned())
    }
}

/// `https://host[:port][/path]`, `http://…` kept as given (a server on this computer), a bare
/// host taken as https. No spaces, no trailing slash.
fn server_address(typed: &str) -> Result<String, LinkProblem> {
    let typed = typed.trim().trim_end_matches('/');
    let address = if typed.starts_with("https://") || typed.starts_with("http://") { typed.to_owned() } else { format!("https://{typed}") };
    let host = address.split_once("://").map(|(_, rest)| rest).unwrap_or_default();
    let host = host.split(['/', ':']).next().unwrap_or_default();
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c == '@' || c == '?' || c == '#') {
        return Err(LinkProblem::BadAddress);
    }
    Ok(address)
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &str = "K7QF-MX2P-9TRA";

    #[test]
    fn the_email_link_round_trips_with_server_and_code() {
        let link = invitation_link("https://qar.riverside-fells.example.org", CODE);
        assert_eq!(link, "qarfield://invite?server=https%3A%2F%2Fqar.riverside-fells.example.org&code=K7QF-MX2P-9TRA");
        let read = read_invitation(&link).unwrap();
        assert_eq!(read, InvitationLink { server_url: Some("https://qar.riverside-fells.example.org".into()), code: CODE.into() });
    }

    #[test]
    fn a_local_server_with_a_port_survives_the_link() {
        let read = read_invitation(&invitation_link("http://127.0.0.1:8787/", CODE)).unwrap();
        assert_eq!(read.server_url.as_deref(), Some("http://127.0.0.1:8787"));
    }

    #[test]
    fn a_code_can_carry_its_server() {
        assert_eq!(code_with_server("https://qar.example.org/", CODE), "K7QF-MX2P-9TRA@qar.example.org");
        let read = read_invitation(" K7QF-MX2P-9TRA@qar.example.org ").unwrap();
        assert_eq!(read, InvitationLink { server_url: Some("https://qar.example.org".into()), code: CODE.into() });
        let local = read_invitation(&code_with_server("http://127.0.0.1:8787", CODE)).unwrap();
        assert_eq!(local.server_url.as_deref(), Some("http://127.0.0.1:8787"));
    }

    #[test]
    fn a_bare_code_has_no_server() {
        assert_eq!(read_invitation(CODE).unwrap(), InvitationLink { server_url: None, code: CODE.into() });
    }

    #[test]
    fn other_links_and_empty_codes_are_refused_plainly() {
        assert_eq!(read_invitation("qarfield://review?id=1"), Err(LinkProblem::NotAnInvitation));
        assert_eq!(read_invitation("qarfield://invite?server=https%3A%2F%2Fq.example.org"), Err(LinkProblem::NoCode));
        assert_eq!(read_invitation("  "), Err(LinkProblem::NoCode));
        assert_eq!(read_invitation("K7QF@"), Err(LinkProblem::BadAddress));
        assert_eq!(read_invitation("K7QF@bad host"), Err(LinkProblem::BadAddress));
        assert_eq!(read_invitation("qarfield://invite?code=%ZZ"), Err(LinkProblem::NotAnInvitation));
        assert!(LinkProblem::NoCode.to_string().contains("ask your administrator"));
    }
}
