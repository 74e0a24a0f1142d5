//! Configuration: defaults that work → `sportello.toml` (or `--config FILE`) → `SPORTELLO__*`
//! environment variables (`SPORTELLO__DATABASE__URL`, `SPORTELLO__ADMIN__PASSWORD`,
//! `SPORTELLO__MAIL__SMTP_URL`, …) →
//! command-line flags. Secrets are `SecretString` and never reach a log.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};
use std::path::Path;

#[derive(Debug, Deserialize, Serialize)]
pub struct Config {
    pub listen: String,
    pub database: Database,
    #[serde(default)]
    pub admin: Admin,
    pub session: SessionLimits,
    /// Sportello is reached over HTTPS (through a proxy): Secure cookies and HSTS.
    pub tls: bool,
    pub max_body_bytes: usize,
    pub log: Log,
    #[serde(default)]
    pub mail: Mail,
    #[serde(default)]
    pub audit: Audit,
}

/// The audit log's key file (`audit.key_file`), kept outside the database; the default is
/// filled in by `audit_key::default_path`. The path is shown, the key never.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct Audit {
    pub key_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct Database {
    #[serde(serialize_with = "redact_url")]
    pub url: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct Admin {
    /// The first administrator's password, used only on an empty database.
    #[serde(serialize_with = "redact_secret")]
    pub password: Option<SecretString>,
}

/// E-mail (appointment reminders, notices to applicants). Without `smtp_url` nothing is sent.
#[derive(Debug, Deserialize, Serialize)]
#[serde(default)]
pub struct Mail {
    /// `smtp://host:25`, `smtp://user:password@host:587?tls=required`, `smtps://…:465`.
    #[serde(serialize_with = "redact_optional_url")]
    pub smtp_url: Option<String>,
    /// The sender: `Servizi sociali <servizi.sociali@comune.example>`.
    pub from: String,
}

impl Default for Mail {
    fn default() -> Self {
        let web::mail::MailConfig { smtp_url, from } = web::mail::MailConfig::default();
        Self { smtp_url, from }
    }
}

impl Mail {
    pub fn to_web(&self) -> web::mail::MailConfig {
        web::mail::MailConfig {
            smtp_url: self.smtp_url.clone().filter(|u| !u.trim().is_empty()),
            from: self.from.clone(),
        }
    }
}

#[derive(Debug, Deserialize, Serialize)]
pub struct SessionLimits {
    pub idle_minutes: u64,
    pub absolute_hours: u64,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct Log {
    /// `text` or `json`.
    pub format: String,
    /// A tracing filter, e.g. `info` or `sportello=debug,info`.
    pub level: String,
}

fn redact_secret<S: Serializer>(s: &Option<SecretString>, ser: S) -> Result<S::Ok, S::Error> {
    match s {
        Some(_) => ser.serialize_str("[nascosto]"),
        None => ser.serialize_none(),
    }
}

/// Hides the password of a `postgres://user:password@host/db` URL.
pub fn redact_url_text(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:[nascosto]{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn redact_url<S: Serializer>(url: &str, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(&redact_url_text(url))
}

fn redact_optional_url<S: Serializer>(url: &Option<String>, ser: S) -> Result<S::Ok, S::Error> {
    match url {
        Some(u) => ser.serialize_str(&redact_url_text(u)),
        None => ser.serialize_none(),
    }
}

impl Config {
    pub fn load(file: Option<&Path>) -> Result<Config, config::ConfigError> {
        let mut b = config::Config::builder()
            .set_default("listen", "127.0.0.1:8328")?
            .set_default("database.url", "sqlite://data/sportello.db")?
            .set_default("session.idle_minutes", 30)?
            .set_default("session.absolute_hours", 12)?
            .set_default("tls", false)?
            .set_default("max_body_bytes", 1_048_576)?
            .set_default("log.format", "text")?
            .set_default("log.level", "info")?;
        b = match file {
            Some(f) => b.add_source(config::File::from(f).required(true)),
            None => b.add_source(config::File::with_name("sportello.toml").required(false)),
        };
        b.add_source(
            config::Environment::with_prefix("SPORTELLO")
                .prefix_separator("__")
                .separator("__"),
        )
        .build()?
        .try_deserialize()
    }

    pub fn admin_password(&self) -> Option<String> {
        self.admin
            .password
            .as_ref()
            .map(|p| p.expose_secret().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_are_hidden() {
        assert_eq!(
            redact_url_text("postgres://app:s3cret@db:5432/sportello"),
            "postgres://app:[nascosto]@db:5432/sportello"
        );
        assert_eq!(
            redact_url_text("sqlite://data/sportello.db"),
            "sqlite://data/sportello.db"
        );
    }

    #[test]
    fn smtp_passwords_are_hidden() {
        let mail = Mail {
            smtp_url: Some("smtp://posta:s3cret@mail.example:587?tls=required".into()),
            ..Mail::default()
        };
        let shown = serde_json::to_string(&mail).unwrap();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("smtp://posta:[nascosto]@mail.example:587?tls=required"),
            "{shown}"
        );
    }
}
