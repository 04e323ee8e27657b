//! Messages from askama templates: every message is multipart, a plain-text part and an
//! HTML part drawn from the same fields.

use askama::Template;

/// A rendered message, ready to send.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The recipient's one-click "stop these emails" link: sent as the `List-Unsubscribe`
    /// header (RFC 8058) when set.
    pub stop_url: Option<String>,
}

/// The generic message: a few paragraphs about why the person hears from the institution,
/// a plain explanation of ORCID, and one link to follow. Invitations and the staff test
/// message fill it in differently.
#[derive(Debug, Clone)]
pub struct LinkMessage {
    pub subject: String,
    pub institution: String,
    /// "Dear Ada," or empty.
    pub greeting: String,
    /// The reason for the message, one paragraph each.
    pub paragraphs: Vec<String>,
    pub link_label: String,
    pub link_url: String,
    /// The recipient's "stop these emails" link, shown in the footer and sent as the
    /// `List-Unsubscribe` header; from `Outbox::stop_url`.
    pub stop_url: Option<String>,
}

#[derive(Template)]
#[template(path = "mail/link_message.txt")]
struct Text<'a> {
    m: &'a LinkMessage,
}

#[derive(Template)]
#[template(path = "mail/link_message.html")]
struct Html<'a> {
    m: &'a LinkMessage,
}

impl LinkMessage {
    pub fn render(&self) -> Result<Rendered, askama::Error> {
        Ok(Rendered {
            subject: self.subject.clone(),
            text: Text { m: self }.render()?,
            html: Html { m: self }.render()?,
            stop_url: self.stop_url.clone(),
        })
    }

    /// The message staff send from the admin page to check that mail arrives.
    pub fn test_message(institution: &str, link_url: &str) -> Self {
        LinkMessage {
            subject: format!("Test message from {institution}'s ORCID connection"),
            institution: institution.to_string(),
            greeting: String::new(),
            paragraphs: vec![
                format!("This is a test message from idlink, the service {institution} uses to connect researchers' ORCID iDs. Someone on the staff sent it to check that email from idlink arrives."),
                "There is nothing you need to do.".to_string(),
            ],
            link_label: "Open idlink".to_string(),
            link_url: link_url.to_string(),
            stop_url: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_parts_carry_the_fields_and_html_is_escaped() {
        let mut m = LinkMessage::test_message(
            "Example <University>",
            "https://idlink.example.org/?a=1&b=2",
        );
        m.greeting = "Dear Ada,".into();
        let r = m.render().unwrap();
        assert!(r.text.contains("Dear Ada,"));
        assert!(r.text.contains("https://idlink.example.org/?a=1&b=2"));
        assert!(r.text.contains("Example <University>"));
        assert!(r.text.contains("ORCID"));
        assert!(
            r.html
                .contains("href=\"https://idlink.example.org/?a=1&#38;b=2\"")
                || r.html
                    .contains("href=\"https://idlink.example.org/?a=1&amp;b=2\""),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("Example &#60;University&#62;")
                || r.html.contains("Example &lt;University&gt;"),
            "{}",
            r.html
        );
        assert!(!r.html.contains("<University>"));
        assert!(r.stop_url.is_none() && !r.text.contains("stop these emails"));
    }

    #[test]
    fn the_stop_link_is_in_both_footers_and_kept_for_the_header() {
        let mut m = LinkMessage::test_message("Example University", "https://idlink.example.org/");
        m.stop_url = Some("https://idlink.example.org/mail/stop/abc".into());
        let r = m.render().unwrap();
        assert_eq!(
            r.stop_url.as_deref(),
            Some("https://idlink.example.org/mail/stop/abc")
        );
        assert!(
            r.text.contains("https://idlink.example.org/mail/stop/abc"),
            "{}",
            r.text
        );
        assert!(
            r.html
                .contains("<a href=\"https://idlink.example.org/mail/stop/abc\">"),
            "{}",
            r.html
        );
    }
}
