//! Demo mode's simulated mailbox: the latest messages in memory, so a newcomer can open
//! a message and follow its link without an SMTP server. Lost on restart, by design.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use time::OffsetDateTime;

use super::Rendered;

/// Messages kept; older ones are dropped as new ones arrive.
pub const MAILBOX_CAPACITY: usize = 100;

#[derive(Debug, Clone)]
pub struct StoredMessage {
    /// 1, 2, 3 … in the order sent.
    pub id: u64,
    pub from: String,
    pub reply_to: Option<String>,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub sent_at: OffsetDateTime,
}

impl StoredMessage {
    pub(super) fn new(from: String, reply_to: Option<String>, to: String, m: &Rendered) -> Self {
        StoredMessage {
            id: 0,
            from,
            reply_to,
            to,
            subject: m.subject.clone(),
            text: m.text.clone(),
            html: m.html.clone(),
            sent_at: OffsetDateTime::now_utc(),
        }
    }

    /// What is between the HTML part's `<body>` tags, to show inside a page.
    pub fn html_body(&self) -> &str {
        let html = self.html.as_str();
        let start = html.find("<body>").map_or(0, |i| i + "<body>".len());
        let end = html
            .rfind("</body>")
            .filter(|&e| e >= start)
            .unwrap_or(html.len());
        &html[start..end]
    }
}

#[derive(Clone, Default)]
pub struct DemoMailbox {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    messages: VecDeque<StoredMessage>,
}

impl DemoMailbox {
    pub(super) fn put(&self, mut message: StoredMessage) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.next_id += 1;
        message.id = inner.next_id;
        if inner.messages.len() == MAILBOX_CAPACITY {
            inner.messages.pop_front();
        }
        inner.messages.push_back(message);
    }

    /// Newest first.
    pub fn list(&self) -> Vec<StoredMessage> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.messages.iter().rev().cloned().collect()
    }

    pub fn get(&self, id: u64) -> Option<StoredMessage> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.messages.iter().find(|m| m.id == id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_up_to_capacity() {
        let mailbox = DemoMailbox::default();
        let r = Rendered {
            subject: "s".into(),
            text: "t".into(),
            html: "<html><body><p>b</p></body></html>".into(),
            stop_url: None,
        };
        for _ in 0..MAILBOX_CAPACITY + 5 {
            mailbox.put(StoredMessage::new("f".into(), None, "t".into(), &r));
        }
        let list = mailbox.list();
        assert_eq!(list.len(), MAILBOX_CAPACITY);
        assert_eq!(list[0].id, (MAILBOX_CAPACITY + 5) as u64);
        assert!(mailbox.get(1).is_none());
        assert_eq!(list[0].html_body(), "<p>b</p>");
    }
}
