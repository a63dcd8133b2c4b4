//! The mail templates (issue 22), kept as data in `crates/server/templates/mail/`: for each, a
//! plain-text file whose first line is `Subject: …` and an HTML file. `{{name}}` is replaced by
//! a value; in HTML every value is escaped. Templates carry links and facts (a school's name, a
//! date, a count), never review text: a mail can be forwarded or read over a shoulder.

use serde_json::Value;

macro_rules! templates {
    ($( $variant:ident = $code:literal, )+) => {
        /// Which mail an outbox row is.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Template {
            $( $variant, )+
        }

        impl Template {
            pub const ALL: &'static [Template] = &[$(Template::$variant),+];

            /// The name stored in the outbox and used for the template's files.
            pub const fn code(self) -> &'static str {
                match self {
                    $( Template::$variant => $code, )+
                }
            }

            pub fn parse(code: &str) -> Option<Template> {
                match code {
                    $( $code => Some(Template::$variant), )+
                    _ => None,
                }
            }

            /// (plain text with its subject line, HTML)
            fn sources(self) -> (&'static str, &'static str) {
                match self {
                    $( Template::$variant => (
                        include_str!(concat!("../../templates/mail/", $code, ".txt")),
                        include_str!(concat!("../../templates/mail/", $code, ".html")),
                    ), )+
                }
            }
        }
    };
}

templates! {
    Invitation = "invitation",
    ReportSubmitted = "report_submitted",
    ReportReturned = "report_returned",
    ReportApproved = "report_approved",
    ReportIssued = "report_issued",
    ReportOverdue = "report_overdue",
    UnsentWork = "unsent_work",
    VisitRequest = "visit_request",
    AccuracyCheckFinished = "accuracy_check_finished",
}

/// A mail ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RenderError {
    #[error("template {template} has no subject line (its first line must be 'Subject: …')")]
    NoSubject { template: &'static str },
    #[error("template {template} uses {{{{{name}}}}}, which this mail has no value for")]
    MissingValue { template: &'static str, name: String },
}

impl Template {
    /// Fills the template with `values` (strings and numbers, by name).
    pub fn render(self, values: &Value) -> Result<Rendered, RenderError> {
        let (text, html) = self.sources();
        let (first, body) = text.split_once('\n').unwrap_or((text, ""));
        let subject = first.strip_prefix("Subject:").ok_or(RenderError::NoSubject { template: self.code() })?.trim();
        // A value cannot add a header line: the subject is one line whatever a name holds.
        let subject = fill(self, subject, values, |v| v.chars().map(|c| if c.is_control() { ' ' } else { c }).collect())?;
        let text = fill(self, body.trim_start_matches('\n'), values, str::to_owned)?;
        let html = fill(self, html, values, escape_html)?;
        Ok(Rendered { subject, text, html })
    }
}

fn fill(template: Template, source: &str, values: &Value, escape: impl Fn(&str) -> String) -> Result<String, RenderError> {
    let mut out = String::with_capacity(source.len() + 256);
    let mut rest = source;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let name = after[..end].trim();
        let value = match values.get(name) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(RenderError::MissingValue { template: template.code(), name: name.to_owned() }),
        };
        out.push_str(&escape(&value));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every value any template uses, with markup in it.
    fn all_values() -> Value {
        json!({
            "recipient_name": "Ann <b>O'Neil</b> & Co",
            "invited_by": "Demo Administrator",
            "code": "ABCD-EFGH",
            "expires_date": "14 December 2026",
            "app_link": "qarfield://invite?server=https%3A%2F%2Fqar.example.org&code=ABCD-EFGH",
            "signup_link": "https://qar.example.org/signup",
            "public_url": "https://qar.example.org",
            "school_name": "St Mary's <Primary>",
            "school_urn": "990001",
            "review_id": "0190a000-0000-7000-8000-000000000001",
            "comment_count": 3,
            "version": 2,
            "issued_date": "7 December 2026",
            "due_date": "1 December 2026",
            "days_overdue": 6,
            "device_name": "Anika's laptop",
            "pending_ops": 12,
            "entry_title": "Early reading for all",
            "requester_name": "Ann <b>O'Neil</b> & Co",
            "oldest_date": "5 December 2026",
            "comments": 2,
        })
    }

    #[test]
    fn every_template_renders_with_values_escaped_in_html_only() {
        for t in Template::ALL {
            let r = t.render(&all_values()).unwrap_or_else(|e| panic!("{}: {e}", t.code()));
            assert!(!r.subject.is_empty() && !r.subject.contains('\n'), "{}", t.code());
            assert!(r.text.contains("Ann <b>O'Neil</b> & Co"), "{}: plain text keeps the name as it is", t.code());
            assert!(r.html.contains("Ann &lt;b&gt;O&#39;Neil&lt;/b&gt; &amp; Co"), "{}: HTML escapes it", t.code());
            assert!(!r.html.contains("<b>O'Neil"), "{}", t.code());
            assert!(!r.text.contains("{{") && !r.html.contains("{{"), "{}: a placeholder was left", t.code());
            assert!(r.html.contains("lang=\"en-GB\""), "{}", t.code());
            assert!(r.text.contains("https://qar.example.org"), "{}: links to the server", t.code());
        }
    }

    #[test]
    fn a_missing_value_is_an_error_not_a_blank() {
        let mut values = all_values();
        values.as_object_mut().unwrap().remove("code");
        assert_eq!(Template::Invitation.render(&values), Err(RenderError::MissingValue { template: "invitation", name: "code".into() }));
    }

    #[test]
    fn a_subject_stays_one_line() {
        let mut values = all_values();
        values["school_name"] = json!("Oak\r\nBcc: someone@example.org");
        let r = Template::ReportApproved.render(&values).unwrap();
        assert_eq!(r.subject, "Report approved: Oak  Bcc: someone@example.org");
    }

    #[test]
    fn codes_read_back() {
        for t in Template::ALL {
            assert_eq!(Template::parse(t.code()), Some(*t));
        }
        assert_eq!(Template::parse("nonsense"), None);
    }
}
