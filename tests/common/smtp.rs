//! A small SMTP server for tests, on a real socket (port 0): it speaks enough SMTP for a
//! real client (EHLO, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and hands
//! back each message it accepted, raw, for the test to parse. Faults on demand: "try
//! again later" answers, recipients refused for good, connections that hang.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One accepted message: the envelope and the DATA as sent (dot-unstuffed).
#[derive(Debug, Clone)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    pub data: Vec<u8>,
    /// When the server accepted it (the end of DATA).
    pub at: std::time::Instant,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Answer,
    /// Accepts connections and never says a word: a server that hangs.
    Silent,
}

/// Faults the server plays, set by the test while it runs.
#[derive(Default)]
struct Faults {
    /// The next this many MAIL commands get `451` (try again later).
    busy: usize,
    /// Recipients refused for good (`550`).
    rejected: Vec<String>,
    /// The next this many connections are accepted and never answered.
    stall: usize,
}

pub struct TestSmtp {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    faults: Arc<Mutex<Faults>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestSmtp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestSmtp {
    /// Accepts any message, with or without AUTH.
    pub async fn start() -> Self {
        Self::spawn(Mode::Answer, None).await
    }

    /// Requires AUTH with this user and password; anything else gets 535.
    pub async fn with_login(user: &str, password: &str) -> Self {
        Self::spawn(Mode::Answer, Some((user.to_string(), password.to_string()))).await
    }

    /// Never answers.
    pub async fn silent() -> Self {
        Self::spawn(Mode::Silent, None).await
    }

    /// `smtp://127.0.0.1:port`
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Messages accepted for this address (as in `RCPT TO:<address>`).
    pub fn delivered_to(&self, address: &str) -> usize {
        let rcpt = format!("<{address}>");
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.rcpt_to.iter().any(|t| t.eq_ignore_ascii_case(&rcpt)))
            .count()
    }

    /// The next `n` messages are answered "451 try again later" at MAIL FROM.
    pub fn busy_for(&self, n: usize) {
        self.faults.lock().unwrap().busy = n;
    }

    /// Mail to `address` is refused for good ("550 no such user").
    pub fn reject(&self, address: &str) {
        self.faults
            .lock()
            .unwrap()
            .rejected
            .push(format!("<{address}>"));
    }

    /// The next `n` connections are accepted and never answered.
    pub fn stall_next(&self, n: usize) {
        self.faults.lock().unwrap().stall = n;
    }

    /// Accepts any message, on this address (e.g. one idlink found closed before).
    pub async fn start_at(addr: SocketAddr) -> Self {
        let listener = TcpListener::bind(addr).await.expect("bind smtp");
        Self::serve(listener, Mode::Answer, None)
    }

    async fn spawn(mode: Mode, login: Option<(String, String)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        Self::serve(listener, mode, login)
    }

    fn serve(listener: TcpListener, mode: Mode, login: Option<(String, String)>) -> Self {
        let addr = listener.local_addr().expect("smtp addr");
        let received = Arc::new(Mutex::new(Vec::new()));
        let faults = Arc::new(Mutex::new(Faults::default()));
        let store = received.clone();
        let playing = faults.clone();
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                let stall = {
                    let mut f = playing.lock().unwrap();
                    let stall = f.stall > 0;
                    f.stall = f.stall.saturating_sub(1);
                    stall
                };
                if mode == Mode::Silent || stall {
                    held.push(socket);
                    continue;
                }
                let store = store.clone();
                let login = login.clone();
                let faults = playing.clone();
                tokio::spawn(async move {
                    let _ = session(socket, login, store, faults).await;
                });
            }
        });
        TestSmtp {
            addr,
            received,
            faults,
            task,
        }
    }
}

async fn session(
    socket: TcpStream,
    login: Option<(String, String)>,
    store: Arc<Mutex<Vec<Received>>>,
    faults: Arc<Mutex<Faults>>,
) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    let b64 = base64::engine::general_purpose::STANDARD;
    write.write_all(b"220 test-smtp ESMTP ready\r\n").await?;
    let mut authed = login.is_none();
    let mut from = String::new();
    let mut rcpt = Vec::new();
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let line = line.trim_end();
        let upper = line.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            "250-test-smtp\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN\r\n".into()
        } else if upper.starts_with("AUTH PLAIN") {
            let given = match line.split_whitespace().nth(2) {
                Some(v) => v.to_string(),
                None => {
                    write.write_all(b"334 \r\n").await?;
                    let mut l = String::new();
                    lines.read_line(&mut l).await?;
                    l.trim().to_string()
                }
            };
            let decoded = b64.decode(given).unwrap_or_default();
            let parts: Vec<&[u8]> = decoded.split(|b| *b == 0).collect();
            authed = matches!((&login, parts.as_slice()), (Some((u, p)), [_, gu, gp]) if *gu == u.as_bytes() && *gp == p.as_bytes());
            auth_reply(authed)
        } else if upper.starts_with("AUTH LOGIN") {
            let mut answers = Vec::new();
            for prompt in ["334 VXNlcm5hbWU6\r\n", "334 UGFzc3dvcmQ6\r\n"] {
                write.write_all(prompt.as_bytes()).await?;
                let mut l = String::new();
                lines.read_line(&mut l).await?;
                answers.push(b64.decode(l.trim()).unwrap_or_default());
            }
            authed = matches!(&login, Some((u, p)) if answers[0] == u.as_bytes() && answers[1] == p.as_bytes());
            auth_reply(authed)
        } else if upper.starts_with("MAIL FROM:") {
            let busy = {
                let mut f = faults.lock().unwrap();
                let busy = f.busy > 0;
                f.busy = f.busy.saturating_sub(1);
                busy
            };
            if busy {
                "451 4.3.2 Busy, try again later\r\n".into()
            } else if authed {
                from = line[10..].trim().to_string();
                rcpt.clear();
                "250 OK\r\n".into()
            } else {
                "530 5.7.0 Authentication required\r\n".into()
            }
        } else if upper.starts_with("RCPT TO:") {
            let to = line[8..].trim().to_string();
            let refused = faults
                .lock()
                .unwrap()
                .rejected
                .iter()
                .any(|r| r.eq_ignore_ascii_case(&to));
            if refused {
                "550 5.1.1 No such user here\r\n".into()
            } else {
                rcpt.push(to);
                "250 OK\r\n".into()
            }
        } else if upper == "DATA" {
            write
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let mut data = Vec::new();
            loop {
                let mut l = Vec::new();
                if lines.read_until(b'\n', &mut l).await? == 0 {
                    return Ok(());
                }
                if l == b".\r\n" {
                    break;
                }
                let l = if l.starts_with(b"..") {
                    &l[1..]
                } else {
                    &l[..]
                };
                data.extend_from_slice(l);
            }
            store.lock().unwrap().push(Received {
                mail_from: std::mem::take(&mut from),
                rcpt_to: std::mem::take(&mut rcpt),
                data,
                at: std::time::Instant::now(),
            });
            "250 OK queued\r\n".into()
        } else if upper == "QUIT" {
            write.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else if upper == "RSET" || upper == "NOOP" {
            "250 OK\r\n".into()
        } else {
            "502 Command not implemented\r\n".into()
        };
        write.write_all(reply.as_bytes()).await?;
    }
}

fn auth_reply(ok: bool) -> String {
    if ok {
        "235 2.7.0 Authentication successful\r\n".into()
    } else {
        "535 5.7.8 Authentication credentials invalid\r\n".into()
    }
}
