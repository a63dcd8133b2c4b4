//! The pages' templates (issue 22, decision 75), kept as data in `crates/server/templates/web/`
//! like the mail's. `{{name}}` is replaced by a text value, always HTML-escaped; `{{{name}}}` by
//! markup, which only an [`Html`] can be: what another template rendered, or text escaped by
//! [`Html::element`]. So no value typed by a person can reach a page unescaped.

use crate::mail::escape_html;

macro_rules! pages {
    ($( $variant:ident = $file:literal, )+) => {
        /// Which template file.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Tpl {
            $( $variant, )+
        }

        impl Tpl {
            #[cfg(test)]
            pub const ALL: &'static [Tpl] = &[$(Tpl::$variant),+];

            pub const fn file(self) -> &'static str {
                match self {
                    $( Tpl::$variant => $file, )+
                }
            }

            fn source(self) -> &'static str {
                match self {
                    $( Tpl::$variant => include_str!(concat!("../../templates/web/", $file, ".html")), )+
                }
            }
        }
    };
}

pages! {
    Layout = "layout",
    Account = "account",
    SignIn = "sign_in",
    Signup = "signup",
    SignupAuthenticator = "signup_authenticator",
    Notice = "notice",
    Message = "message",
    School = "school",
    SchoolReview = "school_review",
    VersionItem = "version_item",
    RegisterEntry = "register_entry",
    VisitRequest = "visit_request",
    Version = "version",
    Estimates = "estimates",
    EstimateRow = "estimate_row",
    Figure = "figure",
    Statement = "statement",
    StatementForms = "statement_forms",
    StatementRead = "statement_read",
    ReviewAction = "review_action",
    Accuracy = "accuracy",
    AccuracySection = "accuracy_section",
    AccuracyCommentForm = "accuracy_comment_form",
    AccuracyFinish = "accuracy_finish",
    RegisterConsent = "register_consent",
    RegisterConsentEntry = "register_consent_entry",
    RegisterConsentConfirm = "register_consent_confirm",
}

/// The one stylesheet, served at `/static/web.css`.
pub const STYLESHEET: &str = include_str!("../../templates/web/web.css");

/// Markup that is safe to put into a page as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Html(String);

impl Html {
    /// `<tag>text</tag>`, the text escaped. `tag` is one of ours, never a value.
    pub fn element(tag: &'static str, text: &str) -> Html {
        Html(format!("<{tag}>{}</{tag}>", escape_html(text)))
    }

    /// `<tag class="…">text</tag>`, the text escaped.
    pub fn element_with_class(tag: &'static str, class: &'static str, text: &str) -> Html {
        Html(format!("<{tag} class=\"{class}\">{}</{tag}>", escape_html(text)))
    }

    /// Pieces one after another, wrapped in `<tag>…</tag>` (a list, say).
    pub fn wrap(tag: &'static str, pieces: Vec<Html>) -> Html {
        Html(format!("<{tag}>{}</{tag}>", Html::join(pieces).0))
    }

    pub fn join(pieces: Vec<Html>) -> Html {
        Html(pieces.into_iter().map(|p| p.0).collect())
    }

    #[cfg(test)]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A value for a placeholder.
#[derive(Debug, Clone, Copy)]
pub enum V<'a> {
    /// For `{{name}}`: escaped.
    Text(&'a str),
    /// For `{{{name}}}`: put in as it is.
    Markup(&'a Html),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RenderError {
    #[error("page template {template} uses {name}, which this page has no value for")]
    MissingValue { template: &'static str, name: String },
    #[error("page template {template} puts {name} in as {wanted}, but the value given is not")]
    WrongKind { template: &'static str, name: String, wanted: &'static str },
}

impl Tpl {
    /// Fills the template. A placeholder without a value, or markup where text was given (or
    /// the other way round), is an error: never a blank, never an unescaped string.
    pub fn render(self, values: &[(&str, V<'_>)]) -> Result<Html, RenderError> {
        let source = self.source();
        let mut out = String::with_capacity(source.len() + 512);
        let mut rest = source;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let raw = rest[start..].starts_with("{{{");
            let (open, close) = if raw { (3, "}}}") } else { (2, "}}") };
            let after = &rest[start + open..];
            let Some(end) = after.find(close) else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = after[..end].trim();
            let value = values.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
            match (raw, value) {
                (false, Some(V::Text(t))) => out.push_str(&escape_html(t)),
                (true, Some(V::Markup(h))) => out.push_str(&h.0),
                (_, None) => return Err(RenderError::MissingValue { template: self.file(), name: name.to_owned() }),
                (raw, Some(_)) => {
                    let wanted = if raw { "markup" } else { "text" };
                    return Err(RenderError::WrongKind { template: self.file(), name: name.to_owned(), wanted });
                }
            }
            rest = &after[end + close.len()..];
        }
        out.push_str(rest);
        Ok(Html(out))
    }

    /// The placeholders the template uses, as (name, is markup).
    #[cfg(test)]
    pub fn placeholders(self) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        let mut rest = self.source();
        while let Some(start) = rest.find("{{") {
            let raw = rest[start..].starts_with("{{{");
            let (open, close) = if raw { (3, "}}}") } else { (2, "}}") };
            let after = &rest[start + open..];
            let Some(end) = after.find(close) else { break };
            out.push((after[..end].trim().to_owned(), raw));
            rest = &after[end + close.len()..];
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NASTY: &str = "Ann <script>alert('x')</script> & \"Co\"";

    #[test]
    fn every_template_renders_with_text_escaped() {
        let inner = Html::element("p", NASTY);
        for t in Tpl::ALL {
            let names = t.placeholders();
            assert!(!names.is_empty() || *t == Tpl::Layout, "{}", t.file());
            let values: Vec<(&str, V<'_>)> =
                names.iter().map(|(n, raw)| (n.as_str(), if *raw { V::Markup(&inner) } else { V::Text(NASTY) })).collect();
            let page = t.render(&values).unwrap_or_else(|e| panic!("{}: {e}", t.file()));
            assert!(!page.as_str().contains("<script>"), "{}: {}", t.file(), page.as_str());
            assert!(!page.as_str().contains("{{"), "{}: a placeholder was left", t.file());
            if names.iter().any(|(_, raw)| !raw) {
                assert!(page.as_str().contains("Ann &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Co&quot;"), "{}", t.file());
            }
        }
    }

    #[test]
    fn a_missing_value_or_the_wrong_kind_is_an_error() {
        assert_eq!(
            Tpl::Message.render(&[("heading", V::Text("h")), ("message", V::Text("m")), ("link", V::Text("/"))]),
            Err(RenderError::MissingValue { template: "message", name: "link_text".into() })
        );
        let html = Html::element("p", "x");
        let values = [("heading", V::Markup(&html)), ("message", V::Text("m")), ("link", V::Text("/")), ("link_text", V::Text("t"))];
        assert!(matches!(Tpl::Message.render(&values), Err(RenderError::WrongKind { .. })));
        // Text where markup goes is refused too: nothing unescaped gets in by mistake.
        let values = [("name", V::Text("<b>")), ("csrf", V::Text("t"))];
        assert!(Tpl::Account.render(&values).unwrap().as_str().contains("&lt;b&gt;"));
        assert!(matches!(
            Tpl::Layout.render(&[("title", V::Text("t")), ("account", V::Text("<b>")), ("main", V::Text("m"))]),
            Err(RenderError::WrongKind { .. })
        ));
    }

    #[test]
    fn the_layout_has_the_page_landmarks() {
        let empty = Html::default();
        let page = Tpl::Layout.render(&[("title", V::Text("T")), ("account", V::Markup(&empty)), ("main", V::Markup(&empty))]).unwrap();
        let page = page.as_str();
        assert!(page.contains("<html lang=\"en-GB\">"));
        assert!(page.contains("href=\"#main\"") && page.contains("<main id=\"main\""), "a skip link to the main content");
        assert!(!page.contains("<script"), "no script on any page");
    }
}
