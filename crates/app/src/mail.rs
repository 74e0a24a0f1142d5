//! E-mail through SMTP: the settings, one [`Mailer`] built at start-up, the messages
//! Sportello sends (plain-text Italian templates under `templates/mail/`) and the Italian long
//! date they are written with.
//!
//! Without `mail.smtp_url` nothing is sent: [`Mailer::send`] answers
//! [`MailError::NotConfigured`] and the caller decides (a reminder stays pending).

use askama::Template;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::fmt;
use std::time::Duration;
use time::{Date, PrimitiveDateTime};

/// Each step of the SMTP dialogue (connect, every command and reply) may take this long.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(10);
/// A whole delivery (connection, TLS, login, message) may take this long.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// Mail settings, filled by the binary from `[mail]`.
#[derive(Clone)]
pub struct MailConfig {
    /// lettre's URL format: `smtp://host:25` (plain, for a relay on the same machine or in
    /// tests), `smtp://user:password@host:587?tls=required` (STARTTLS),
    /// `smtps://user:password@host:465` (TLS from the start). `None`: nothing is sent.
    pub smtp_url: Option<String>,
    /// The sender, e.g. `Servizi sociali <servizi.sociali@comune.example>`.
    pub from: String,
    /// The citizens' portal as the citizen reaches it
    /// (`https://sociali.comune.example/portale`), linked from the e-mail that tells of news
    /// on an application. `None`: the e-mail names the portal without a link.
    pub portal_url: Option<String>,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: "Servizi sociali <servizi.sociali@comune.example>".into(),
            portal_url: None,
        }
    }
}

impl fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailConfig")
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("from", &self.from)
            .field("portal_url", &self.portal_url)
            .finish()
    }
}

/// The URL with its password replaced by `[nascosto]`, for logs and messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => match url[scheme + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:[nascosto]{}", &url[..scheme + 3], &url[at..]),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}

/// Why a message was not sent. The texts are for operators and the command line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("l'invio di e-mail non è configurato (manca mail.smtp_url)")]
    NotConfigured,
    #[error("configurazione della posta non valida: {0}")]
    Config(String),
    #[error("indirizzo e-mail non valido: «{0}»")]
    InvalidAddress(String),
    #[error("impossibile comporre il messaggio: {0}")]
    Compose(String),
    #[error("il server di posta ha rifiutato il messaggio: {0}")]
    Refused(String),
    #[error("il server di posta non è raggiungibile o non risponde: {0}")]
    Unavailable(String),
}

impl MailError {
    /// Worth trying again later: the server was away or answered "try later", or mail is not
    /// configured yet. An invalid address or a refusal stays what it is.
    pub fn retryable(&self) -> bool {
        matches!(self, Self::NotConfigured | Self::Unavailable(_))
    }
}

/// One plain-text message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// `mario.rossi@example.org` or `Mario Rossi <mario.rossi@example.org>`.
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Sends mail through the configured SMTP server; built once, cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    inner: Inner,
    portal_url: Option<String>,
}

#[derive(Clone)]
enum Inner {
    Off,
    Broken(MailError),
    Smtp {
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: Mailbox,
    },
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.inner {
            Inner::Off => "non configurato".to_owned(),
            Inner::Broken(e) => e.to_string(),
            Inner::Smtp { from, .. } => format!("SMTP, mittente {from}"),
        };
        f.debug_tuple("Mailer").field(&state).finish()
    }
}

impl Mailer {
    /// Checks the settings: the URL (scheme, host, `tls=`) and the sender.
    pub fn new(config: &MailConfig) -> Result<Self, MailError> {
        let portal_url = config
            .portal_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_owned);
        let Some(url) = config
            .smtp_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        else {
            return Ok(Self {
                inner: Inner::Off,
                portal_url,
            });
        };
        let from: Mailbox = config.from.trim().parse().map_err(|_| {
            MailError::Config(format!("mittente mail.from «{}» non valido", config.from))
        })?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| {
                MailError::Config(format!(
                    "mail.smtp_url «{}»: {e} (esempi: smtp://127.0.0.1:25, \
                     smtp://utente:password@host:587?tls=required, smtps://utente:password@host:465)",
                    redact_url(url)
                ))
            })?
            .timeout(Some(STEP_TIMEOUT))
            .build();
        let transport = Box::new(transport);
        Ok(Self {
            inner: Inner::Smtp { transport, from },
            portal_url,
        })
    }

    /// As [`Mailer::new`], but never failing: invalid settings are logged, and every
    /// [`Mailer::send`] then answers their error. (The binary checks them before starting.)
    pub fn from_config(config: &MailConfig) -> Self {
        Self::new(config).unwrap_or_else(|e| {
            tracing::error!(error = %e, "posta: configurazione non valida");
            Self {
                inner: Inner::Broken(e),
                portal_url: None,
            }
        })
    }

    /// A mailer that sends nothing.
    pub fn disabled() -> Self {
        Self {
            inner: Inner::Off,
            portal_url: None,
        }
    }

    /// The citizens' portal the news e-mails link to, when configured.
    pub fn portal_url(&self) -> Option<&str> {
        self.portal_url.as_deref()
    }

    pub fn is_configured(&self) -> bool {
        matches!(self.inner, Inner::Smtp { .. })
    }

    /// Sends one message. The recipient is checked first, so an invalid address is refused
    /// the same way whether or not SMTP is configured.
    pub async fn send(&self, msg: &Mail) -> Result<(), MailError> {
        let to = parse_recipient(&msg.to)?;
        let (transport, from) = match &self.inner {
            Inner::Off => {
                tracing::info!(
                    subject = %msg.subject,
                    "e-mail non inviata: invio non configurato (mail.smtp_url)"
                );
                return Err(MailError::NotConfigured);
            }
            Inner::Broken(e) => return Err(e.clone()),
            Inner::Smtp { transport, from } => (transport, from),
        };
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .message_id(None)
            .subject(one_line(&msg.subject))
            .header(ContentType::TEXT_PLAIN)
            .body(msg.body.clone())
            .map_err(|e| MailError::Compose(e.to_string()))?;
        match tokio::time::timeout(SEND_TIMEOUT, transport.send(message)).await {
            Err(_) => Err(MailError::Unavailable(format!(
                "nessuna risposta entro {} secondi",
                SEND_TIMEOUT.as_secs()
            ))),
            Ok(Err(e)) => {
                let err = smtp_error(&e);
                tracing::warn!(error = %err, "e-mail non inviata");
                Err(err)
            }
            Ok(Ok(_)) => {
                tracing::info!(subject = %msg.subject, "e-mail inviata");
                Ok(())
            }
        }
    }
}

/// The recipient as a mailbox, refused with an Italian message if it is not an address.
pub fn parse_recipient(to: &str) -> Result<Mailbox, MailError> {
    let to = to.trim();
    if to.is_empty() || to.chars().any(char::is_control) {
        return Err(MailError::InvalidAddress(
            to.chars().filter(|c| !c.is_control()).collect(),
        ));
    }
    to.parse()
        .map_err(|_| MailError::InvalidAddress(to.to_owned()))
}

/// A subject on one line: line breaks and other control characters become spaces.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

fn smtp_error(e: &lettre::transport::smtp::Error) -> MailError {
    use std::error::Error as _;
    let detail = match (e.status(), e.source()) {
        (Some(code), Some(text)) => format!("{code} {text}"),
        (Some(code), None) => code.to_string(),
        _ => e.to_string(),
    };
    if e.is_permanent() {
        MailError::Refused(detail)
    } else if e.is_timeout() {
        MailError::Unavailable(format!(
            "nessuna risposta entro {} secondi ({detail})",
            STEP_TIMEOUT.as_secs()
        ))
    } else if e.is_transient() {
        MailError::Unavailable(format!("riprovare più tardi ({detail})"))
    } else {
        MailError::Unavailable(detail)
    }
}

// ---------------------------------------------------------------------------------------
// Italian dates

/// "giovedì 3 dicembre 2026" (the first of the month is written "1°").
pub use domain::localtime::long_date;

/// "alle 10:30", "all'1:05".
pub fn at_time(t: time::Time) -> String {
    let article = if t.hour() == 1 { "all'" } else { "alle " };
    format!("{article}{}:{:02}", t.hour(), t.minute())
}

/// "giovedì 3 dicembre 2026 alle 10:30".
pub fn long_date_time(at: PrimitiveDateTime) -> String {
    format!("{} {}", long_date(at.date()), at_time(at.time()))
}

/// "03/12/2026".
pub fn short_date(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

// ---------------------------------------------------------------------------------------
// Messages

/// A message with a subject and a plain-text body from a template.
pub trait Compose: Template {
    fn subject(&self) -> String;

    /// The message to `to`, ready for [`Mailer::send`].
    fn mail(&self, to: &str) -> Result<Mail, MailError> {
        Ok(Mail {
            to: to.to_owned(),
            subject: self.subject(),
            body: self
                .render()
                .map_err(|e| MailError::Compose(e.to_string()))?,
        })
    }
}

/// The reminder of an appointment, sent to the person a day or so before.
#[derive(Debug, Clone, Template)]
#[template(path = "mail/appointment_reminder.txt")]
pub struct AppointmentReminder {
    pub person_name: String,
    /// Who receives the person; may be empty.
    pub worker_name: String,
    /// The organization's name: "Comune di Bergamo".
    pub office: String,
    /// The time in Italy (see `domain::localtime`), as the person reads it on a clock.
    pub when: PrimitiveDateTime,
    /// Address and room; may be empty.
    pub place: String,
    /// What the appointment is about; may be empty.
    pub purpose: String,
    /// The closing lines: the organization, its office, address, contacts and hours
    /// (`Letterhead::mail_signature`).
    pub signature: Vec<String>,
}

impl AppointmentReminder {
    fn when_long(&self) -> String {
        long_date_time(self.when)
    }
}

impl Compose for AppointmentReminder {
    /// "Promemoria appuntamento del 03/12/2026 alle 10:30".
    fn subject(&self) -> String {
        format!(
            "Promemoria appuntamento del {} {}",
            short_date(self.when.date()),
            at_time(self.when.time())
        )
    }
}

/// The notice to the person that their appointment was moved or cancelled.
#[derive(Debug, Clone, Template)]
#[template(path = "mail/appointment_changed.txt")]
pub struct AppointmentChanged {
    pub person_name: String,
    /// Who receives the person; may be empty.
    pub worker_name: String,
    pub office: String,
    /// The time that was fixed, in Italy.
    pub was: PrimitiveDateTime,
    /// The new time; none, cancelled.
    pub moved_to: Option<PrimitiveDateTime>,
    /// Where, after the change; may be empty.
    pub place: String,
    pub purpose: String,
    pub reason: Option<String>,
    /// The closing lines: the organization, its office, address, contacts and hours
    /// (`Letterhead::mail_signature`).
    pub signature: Vec<String>,
}

impl AppointmentChanged {
    fn was_long(&self) -> String {
        long_date_time(self.was)
    }

    fn long(&self, at: &PrimitiveDateTime) -> String {
        long_date_time(*at)
    }
}

impl Compose for AppointmentChanged {
    /// "Appuntamento del 03/12/2026 alle 10:30 spostato" (or "annullato").
    fn subject(&self) -> String {
        format!(
            "Appuntamento del {} {} {}",
            short_date(self.was.date()),
            at_time(self.was.time()),
            if self.moved_to.is_some() {
                "spostato"
            } else {
                "annullato"
            }
        )
    }
}

/// The notice to the applicant when an application changes state.
#[derive(Debug, Clone, Template)]
#[template(path = "mail/application_state_changed.txt")]
pub struct ApplicationStateChanged {
    pub person_name: String,
    pub office: String,
    /// The protocol number: "2026/000123".
    pub protocol: String,
    /// The benefit applied for: "contributo per l'affitto".
    pub benefit: String,
    /// The new state as the applicant reads it: "accolta", "respinta", "in istruttoria".
    pub state_label: String,
    /// The operator's note for the applicant, if any.
    pub note: Option<String>,
    /// The closing lines: the organization, its office, address, contacts and hours
    /// (`Letterhead::mail_signature`).
    pub signature: Vec<String>,
}

impl Compose for ApplicationStateChanged {
    /// "Domanda 2026/000123: accolta".
    fn subject(&self) -> String {
        one_line(&format!("Domanda {}: {}", self.protocol, self.state_label))
    }
}

/// The e-mail to a citizen that there is news on one of their applications (a change of
/// state, a letter, a message from the office): nothing else, not even the benefit, since a
/// mailbox is not the place for what the social services do for someone. The news is read on
/// the portal, after signing in.
#[derive(Debug, Clone, Template)]
#[template(path = "mail/application_news.txt")]
pub struct ApplicationNews {
    /// The portal's address, when configured.
    pub portal_url: Option<String>,
    /// The closing lines: the organization, its office, address, contacts and hours
    /// (`Letterhead::mail_signature`).
    pub signature: Vec<String>,
}

impl Compose for ApplicationNews {
    fn subject(&self) -> String {
        "C'è una novità sul portale dei servizi sociali".to_owned()
    }
}

/// The e-mail with the link to choose the password of a portal account (local accounts), to
/// the address the office recorded: the link and nothing else about the person.
#[derive(Debug, Clone, Template)]
#[template(path = "mail/portal_account_link.txt")]
pub struct PortalAccountLink {
    /// The link, with its single-use token.
    pub url: String,
    /// How many hours the link lasts.
    pub hours: i64,
    /// The closing lines: the organization, its office, address, contacts and hours
    /// (`Letterhead::mail_signature`).
    pub signature: Vec<String>,
}

impl Compose for PortalAccountLink {
    fn subject(&self) -> String {
        "Portale dei servizi sociali: scegli la tua password".to_owned()
    }
}

/// The notice to the responsible worker that an ISEE attestation under planned deliveries
/// expires soon. It names the application by protocol, not the person: a mailbox is not the
/// place for whose ISEE it is.
#[derive(Debug, Clone, Template)]
#[template(path = "mail/attestation_expiring.txt")]
pub struct AttestationExpiring {
    pub worker_name: String,
    pub office: String,
    /// The application's protocol: "2026/000123".
    pub protocol: String,
    pub benefit: String,
    pub until: Date,
    /// The person already has a later attestation to link.
    pub newer: bool,
}

impl AttestationExpiring {
    fn until_long(&self) -> String {
        long_date(self.until)
    }
}

impl Compose for AttestationExpiring {
    /// "Attestazione ISEE in scadenza il 31/12/2026: domanda 2026/000123".
    fn subject(&self) -> String {
        one_line(&format!(
            "Attestazione ISEE in scadenza il {}: domanda {}",
            short_date(self.until),
            self.protocol
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime, time};

    #[test]
    fn italian_dates() {
        assert_eq!(long_date(date!(2026 - 12 - 03)), "giovedì 3 dicembre 2026");
        assert_eq!(long_date(date!(2026 - 03 - 01)), "domenica 1° marzo 2026");
        assert_eq!(long_date(date!(2027 - 01 - 18)), "lunedì 18 gennaio 2027");
        assert_eq!(
            long_date_time(datetime!(2026 - 12 - 03 10:30)),
            "giovedì 3 dicembre 2026 alle 10:30"
        );
        assert_eq!(at_time(time!(8:05)), "alle 8:05");
        assert_eq!(at_time(time!(1:00)), "all'1:00");
        assert_eq!(short_date(date!(2026 - 12 - 03)), "03/12/2026");
    }

    #[test]
    fn passwords_stay_out_of_debug_output() {
        let cfg = MailConfig {
            smtp_url: Some("smtp://app:s3cret@mail.example:587?tls=required".into()),
            ..Default::default()
        };
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("app:[nascosto]@mail.example"), "{shown}");
    }

    #[test]
    fn bad_settings_are_named() {
        let bad_url = MailConfig {
            smtp_url: Some("http://mail.example".into()),
            ..Default::default()
        };
        assert!(
            matches!(Mailer::new(&bad_url), Err(MailError::Config(m)) if m.contains("mail.smtp_url"))
        );
        let bad_from = MailConfig {
            smtp_url: Some("smtp://127.0.0.1:25".into()),
            from: "servizi sociali".into(),
            portal_url: None,
        };
        assert!(
            matches!(Mailer::new(&bad_from), Err(MailError::Config(m)) if m.contains("mail.from"))
        );
        assert!(!Mailer::new(&MailConfig::default()).unwrap().is_configured());
    }

    #[test]
    fn subjects_stay_on_one_line() {
        assert_eq!(one_line("a\r\nBcc: x@y.z"), "a  Bcc: x@y.z");
        assert!(parse_recipient("a@b.it\r\nBcc: x@y.z").is_err());
        assert!(parse_recipient("Mario Rossi <mario.rossi@example.org>").is_ok());
    }
}
