//! A real SMTP server for the tests: a tokio listener on 127.0.0.1 speaking the plain
//! dialogue (220, EHLO/HELO, MAIL FROM, RCPT TO, DATA … ".", RSET, NOOP, QUIT), keeping every
//! message it accepts, or refusing every recipient with 550.
//!
//! Written here rather than taken from a crate: the embeddable servers on crates.io are
//! synchronous thread pools, and a test also needs a server that refuses on demand.

use base64::Engine as _;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Accepts every message.
    Accept,
    /// Answers `550 5.1.1` to every RCPT TO.
    RefuseRecipients,
}

/// One accepted message: the envelope and the data as sent (dot-stuffing undone).
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

/// The portal's address in the e-mails of the tests' mailer.
pub const PORTAL_URL: &str = "https://sportello.comune.example/portale";

pub struct SmtpSink {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl SmtpSink {
    pub async fn start(behaviour: Behaviour) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let port = listener.local_addr().expect("addr").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(session(socket, behaviour, store.clone()));
            }
        });
        SmtpSink { port, received }
    }

    /// `smtp://127.0.0.1:PORT`, for `MailConfig::smtp_url`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// A mailer that sends through this server, linking to the portal at [`PORTAL_URL`].
    pub fn mailer(&self) -> app::mail::Mailer {
        app::mail::Mailer::new(&app::mail::MailConfig {
            smtp_url: Some(self.url()),
            from: "Servizi sociali <servizi.sociali@comune.example>".into(),
            portal_url: Some(PORTAL_URL.into()),
        })
        .unwrap()
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn session(
    socket: tokio::net::TcpStream,
    behaviour: Behaviour,
    received: Arc<Mutex<Vec<Received>>>,
) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    let mut from = String::new();
    let mut to = Vec::new();
    macro_rules! reply {
        ($text:expr) => {
            if write
                .write_all(format!("{}\r\n", $text).as_bytes())
                .await
                .is_err()
            {
                return;
            }
        };
    }
    reply!("220 sink.test ESMTP pronto");
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            reply!("250-sink.test\r\n250 8BITMIME");
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            reply!("250 OK");
        } else if upper.starts_with("MAIL FROM:") {
            from = angle(&line);
            to.clear();
            reply!("250 OK");
        } else if upper.starts_with("RCPT TO:") {
            if behaviour == Behaviour::RefuseRecipients {
                reply!("550 5.1.1 casella inesistente");
            } else {
                to.push(angle(&line));
                reply!("250 OK");
            }
        } else if upper == "DATA" {
            if to.is_empty() {
                reply!("554 nessun destinatario valido");
                continue;
            }
            reply!("354 fine con <CRLF>.<CRLF>");
            let mut data = String::new();
            while let Ok(Some(l)) = lines.next_line().await {
                if l == "." {
                    break;
                }
                data.push_str(l.strip_prefix('.').unwrap_or(&l));
                data.push('\n');
            }
            received.lock().unwrap().push(Received {
                from: from.clone(),
                to: std::mem::take(&mut to),
                data,
            });
            reply!("250 OK messaggio accettato");
        } else if upper.starts_with("RSET") {
            from.clear();
            to.clear();
            reply!("250 OK");
        } else if upper.starts_with("QUIT") {
            reply!("221 arrivederci");
            return;
        } else {
            reply!("502 comando non riconosciuto");
        }
    }
}

/// The address between `<` and `>`.
fn angle(line: &str) -> String {
    let start = line.find('<').map_or(0, |i| i + 1);
    let end = line.rfind('>').unwrap_or(line.len());
    line[start..end].to_owned()
}

impl Received {
    fn split(&self) -> (&str, &str) {
        self.data.split_once("\n\n").unwrap_or((&self.data, ""))
    }

    /// A header's value, unfolded and with RFC 2047 encoded words decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let (head, _) = self.split();
        let mut unfolded: Vec<String> = Vec::new();
        for line in head.lines() {
            if line.starts_with([' ', '\t']) {
                if let Some(last) = unfolded.last_mut() {
                    last.push_str(line);
                }
            } else {
                unfolded.push(line.to_owned());
            }
        }
        unfolded.iter().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| decode_words(v.trim()))
        })
    }

    /// The body as text, with its Content-Transfer-Encoding undone.
    pub fn body(&self) -> String {
        let (_, body) = self.split();
        let encoding = self
            .header("Content-Transfer-Encoding")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let text = match encoding.as_str() {
            "base64" => {
                let joined: String = body.split_whitespace().collect();
                String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(joined)
                        .expect("base64 body"),
                )
                .expect("utf-8 body")
            }
            "quoted-printable" => quoted_printable(body),
            _ => body.to_owned(),
        };
        text.replace("\r\n", "\n")
    }
}

fn quoted_printable(s: &str) -> String {
    let mut out = Vec::new();
    for line in s.lines() {
        let (line, soft) = match line.strip_suffix('=') {
            Some(l) => (l, true),
            None => (line, false),
        };
        let b = line.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'=' && i + 2 < b.len() {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).expect("qp escape"));
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        if !soft {
            out.push(b'\n');
        }
    }
    String::from_utf8(out).expect("utf-8 body")
}

/// Decodes `=?utf-8?b?…?=` and `=?utf-8?q?…?=` words; whitespace between two words goes.
fn decode_words(v: &str) -> String {
    let mut out = String::new();
    let mut rest = v;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, after) = rest.split_at(start);
        let word = after[2..].splitn(3, '?').collect::<Vec<_>>();
        let Some(end) = word.get(2).and_then(|w| w.find("?=")) else {
            break;
        };
        if !(last_was_word && before.trim().is_empty()) {
            out.push_str(before);
        }
        let text = &word[2][..end];
        let bytes = match word[1].to_ascii_lowercase().as_str() {
            "b" => base64::engine::general_purpose::STANDARD
                .decode(text)
                .expect("base64 word"),
            _ => quoted_printable(&text.replace('_', " "))
                .trim_end_matches('\n')
                .as_bytes()
                .to_vec(),
        };
        out.push_str(&String::from_utf8(bytes).expect("utf-8 word"));
        let consumed = 2 + word[0].len() + 1 + word[1].len() + 1 + end + 2;
        rest = &after[consumed..];
        last_was_word = true;
    }
    out.push_str(rest);
    out
}
