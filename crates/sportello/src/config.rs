//! Configuration: defaults that work → `sportello.toml` (or `--config FILE`) → `SPORTELLO__*`
//! environment variables (`SPORTELLO__DATABASE__URL`, `SPORTELLO__ADMIN__PASSWORD`,
//! `SPORTELLO__MAIL__SMTP_URL`, `SPORTELLO__TRUSTED_PROXIES=10.0.0.0/8,127.0.0.1`,
//! `SPORTELLO__PORTALE__LOCAL_ACCOUNTS=true`,
//! `SPORTELLO__PUBLIC_HOSTS=sportello.comune.bergamo.it`, …) →
//! command-line flags. Secrets are `SecretString` and never reach a log.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};
use std::net::IpAddr;
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
    /// Reverse proxies whose `X-Forwarded-For` is believed: addresses or networks,
    /// `["127.0.0.1", "10.0.0.0/8"]` (in the environment `127.0.0.1,10.0.0.0/8`).
    #[serde(default, deserialize_with = "list")]
    pub trusted_proxies: Vec<String>,
    /// The names Sportello is reached by (`["sportello.comune.bergamo.it"]`); requests for any
    /// other `Host` are refused (DNS rebinding). See [`allowed_hosts`].
    #[serde(default, deserialize_with = "list")]
    pub public_hosts: Vec<String>,
    #[serde(default)]
    pub audit: Audit,
    #[serde(default)]
    pub backup: Backup,
    #[serde(default)]
    pub portale: Portale,
    /// The WaaS API for INPS's SIUSS (`/waas/{ente}/v1`); absent, the API answers 404.
    pub waas: Option<Waas>,
    /// Who may read `/metrics` (Prometheus); nobody unless given.
    #[serde(default)]
    pub metrics: Metrics,
}

/// `[metrics]`: the bearer token Prometheus sends (`SPORTELLO__METRICS__TOKEN`), and/or the
/// addresses it scrapes from (`allow = ["10.0.0.5", "192.168.1.0/24"]`). With neither,
/// `/metrics` answers 404; with both, a scrape needs both.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct Metrics {
    #[serde(serialize_with = "redact_secret")]
    pub token: Option<SecretString>,
    #[serde(default, deserialize_with = "list")]
    pub allow: Vec<String>,
}

impl Metrics {
    /// The web layer's settings; an unreadable address or an empty token named.
    pub fn to_web(&self) -> Result<web::metrics::MetricsConfig, String> {
        let token = match &self.token {
            Some(t) if t.expose_secret().trim().len() < 16 => {
                return Err("metrics.token: almeno 16 caratteri".into());
            }
            Some(t) => Some(t.expose_secret().trim().to_owned()),
            None => None,
        };
        let allowed = self
            .allow
            .iter()
            .map(|a| web::auth::IpNet::parse(a).map_err(|e| format!("metrics.allow: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(web::metrics::MetricsConfig { token, allowed })
    }
}

/// The WaaS API for INPS (`api-comuni.yaml`), registered on the PDND as an e-service of each
/// ente: the PDND's issuer and keys (JWKS, as the PDND publishes them at
/// `https://auth.interop.pagopa.it/.well-known/jwks.json`), and each ente's audience.
#[derive(Debug, Deserialize, Serialize)]
pub struct Waas {
    /// `iss` of the PDND's vouchers (`interop.pagopa.it`).
    pub issuer: String,
    /// The PDND's keys: the JWKS itself, or
    pub jwks: Option<String>,
    /// a file holding it.
    pub jwks_file: Option<std::path::PathBuf>,
    /// Calls a client may make in a minute (120 unless given).
    pub requests_per_minute: Option<u32>,
    #[serde(default)]
    pub enti: Vec<WaasEnte>,
}

/// One ente's e-service: its code in Sportello, its audience on the PDND, INPS's clients.
#[derive(Debug, Deserialize, Serialize)]
pub struct WaasEnte {
    pub ente: String,
    pub audience: String,
    #[serde(default, deserialize_with = "list")]
    pub clients: Vec<String>,
}

impl Waas {
    /// The web layer's settings; every problem named.
    pub fn to_web(&self) -> Result<web::waas::WaasConfig, String> {
        let text = match (&self.jwks, &self.jwks_file) {
            (Some(j), None) => j.clone(),
            (None, Some(f)) => std::fs::read_to_string(f)
                .map_err(|e| format!("waas.jwks_file {}: {e}", f.display()))?,
            _ => return Err("waas: indicare jwks oppure jwks_file (le chiavi della PDND)".into()),
        };
        let keys = oidc::Jwks::from_json(&text).map_err(|e| format!("waas.jwks: {e}"))?;
        let mut enti = std::collections::HashMap::new();
        for e in &self.enti {
            let code = domain::org::OrgCode::parse(&e.ente)
                .map_err(|err| format!("waas.enti «{}»: {}", e.ente, err.message))?;
            if e.audience.trim().is_empty() {
                return Err(format!("waas.enti «{}»: manca audience", e.ente));
            }
            enti.insert(
                code.as_str().to_owned(),
                web::waas::WaasEnte {
                    audience: e.audience.trim().to_owned(),
                    clients: e.clients.clone(),
                },
            );
        }
        Ok(web::waas::WaasConfig {
            issuer: self.issuer.trim().to_owned(),
            keys,
            per_minute: self.requests_per_minute.unwrap_or(120).max(1),
            enti,
        })
    }
}

/// The citizens' portal (`/portale`). Without `oidc` (and without `local_accounts`) the
/// portal shows its public pages and says that the sign-in is not active yet.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct Portale {
    pub oidc: Option<Oidc>,
    /// Citizens may also sign in with codice fiscale and password, chosen through a link
    /// mailed to the address the office recorded on their registry record (for
    /// demonstrations and comuni without SPID onboarding; needs `mail.smtp_url`). Off by
    /// default; `SPORTELLO__PORTALE__LOCAL_ACCOUNTS=true`.
    #[serde(default)]
    pub local_accounts: bool,
}

/// The SPID/CIE relying party, as registered in the federation at onboarding
/// (`crates/oidc/README.md`). Key files are PEM RSA keys; their paths are shown, never them.
#[derive(Debug, Deserialize, Serialize)]
pub struct Oidc {
    /// The portal's entity id: `https://sportello.comune.example/portale`.
    pub client_id: String,
    /// `<client_id>/accesso` unless given.
    pub redirect_uri: Option<String>,
    pub federation_key_file: std::path::PathBuf,
    pub signing_key_file: std::path::PathBuf,
    pub encryption_key_file: std::path::PathBuf,
    pub organization_name: String,
    #[serde(default, deserialize_with = "list")]
    pub contacts: Vec<String>,
    #[serde(default, deserialize_with = "list")]
    pub authority_hints: Vec<String>,
    /// `SpidL1`, `SpidL2` (default) or `SpidL3`.
    pub acr: Option<String>,
    #[serde(default)]
    pub providers: Vec<OidcProvider>,
}

/// An identity provider the portal trusts: its issuer, the button's name, and its federation
/// keys (`jwks`, JSON) or those of the trust anchor that vouches for it.
#[derive(Debug, Deserialize, Serialize)]
pub struct OidcProvider {
    pub id: String,
    pub name: String,
    pub jwks: Option<String>,
    pub trust_anchor: Option<String>,
    pub trust_anchor_jwks: Option<String>,
}

impl Oidc {
    /// The relying party this configuration describes; every problem named.
    pub fn relying_party(&self) -> Result<oidc::RelyingParty, String> {
        fn e(what: &'static str) -> impl Fn(oidc::OidcError) -> String {
            move |err| format!("portale.oidc.{what}: {err}")
        }
        let keys = oidc::RpKeys::from_pem_files(
            &self.federation_key_file,
            &self.signing_key_file,
            &self.encryption_key_file,
        )
        .map_err(e("*_key_file"))?;
        let client_id = self.client_id.trim_end_matches('/');
        let redirect = self
            .redirect_uri
            .clone()
            .unwrap_or_else(|| format!("{client_id}/accesso"));
        let mut c = oidc::RpConfig::new(client_id, &redirect, keys, &self.organization_name);
        c.contacts = self.contacts.clone();
        c.authority_hints = self.authority_hints.clone();
        if let Some(acr) = &self.acr {
            c.acr = oidc::Acr::from_uri(&format!("https://www.spid.gov.it/{acr}")).ok_or_else(
                || format!("portale.oidc.acr: «{acr}» non è SpidL1, SpidL2 o SpidL3"),
            )?;
        }
        for p in &self.providers {
            let trust = match (&p.jwks, &p.trust_anchor, &p.trust_anchor_jwks) {
                (Some(jwks), None, None) => oidc::ProviderTrust::Pinned {
                    jwks: oidc::Jwks::from_json(jwks).map_err(e("providers.jwks"))?,
                },
                (None, Some(anchor), Some(jwks)) => oidc::ProviderTrust::TrustAnchor {
                    anchor_id: anchor.clone(),
                    anchor_jwks: oidc::Jwks::from_json(jwks)
                        .map_err(e("providers.trust_anchor_jwks"))?,
                },
                _ => {
                    return Err(format!(
                        "portale.oidc.providers «{}»: indicare jwks oppure trust_anchor e trust_anchor_jwks",
                        p.id
                    ));
                }
            };
            c.providers.push(oidc::ProviderConfig {
                id: p.id.clone(),
                name: p.name.clone(),
                trust,
            });
        }
        oidc::RelyingParty::new(c).map_err(|err| format!("portale.oidc: {err}"))
    }
}

/// The audit log's key file (`audit.key_file`), kept outside the database; the default is
/// filled in by `audit_key::default_path`. The path is shown, the key never.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct Audit {
    pub key_file: Option<std::path::PathBuf>,
}

/// Backups (`sportello backup`, `sportello restore`): encrypted with age to `recipient`, a
/// public key (`age1…`); only `identity_file`, its private key, opens them: it belongs off
/// the server (needed only to verify and restore). `sportello backup --genera-chiave FILE`
/// makes a pair.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct Backup {
    pub recipient: Option<String>,
    pub identity_file: Option<std::path::PathBuf>,
}

/// The host names requests may carry: `public_hosts`, and the listen address's own (every
/// loopback name when listening on loopback or on every address: a name no one else can make
/// resolve here). Listening on every address with no `public_hosts` is an error: the names
/// users type would all be refused.
pub fn allowed_hosts(public: &[String], listen: IpAddr) -> Result<Vec<String>, String> {
    let mut hosts = public
        .iter()
        .map(|h| {
            web::host_name(h).ok_or_else(|| format!("public_hosts: «{h}» non è un nome di host"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if listen.is_unspecified() && hosts.is_empty() {
        return Err(format!(
            "Sportello ascolta su tutti gli indirizzi ({listen}) ma public_hosts è vuoto: indica i \
             nomi con cui è raggiunto, ad esempio public_hosts = [\"sportello.comune.bergamo.it\"] \
             o SPORTELLO__PUBLIC_HOSTS=sportello.comune.bergamo.it"
        ));
    }
    if listen.is_loopback() || listen.is_unspecified() {
        hosts.extend(web::LOOPBACK_HOSTS.map(String::from));
    } else {
        hosts.push(listen.to_canonical().to_string());
    }
    Ok(hosts)
}

/// A list from the file (`["a", "b"]`) or from the environment (`a,b`).
fn list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum TextOrList {
        Text(String),
        List(Vec<String>),
    }
    Ok(match TextOrList::deserialize(d)? {
        TextOrList::Text(text) => text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        TextOrList::List(list) => list,
    })
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
        let app::mail::MailConfig { smtp_url, from, .. } = app::mail::MailConfig::default();
        Self { smtp_url, from }
    }
}

impl Mail {
    pub fn to_web(&self) -> app::mail::MailConfig {
        app::mail::MailConfig {
            smtp_url: self.smtp_url.clone().filter(|u| !u.trim().is_empty()),
            from: self.from.clone(),
            portal_url: None,
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
    fn lists_come_from_the_file_or_from_a_comma_separated_variable() {
        let from = |source: config::File<config::FileSourceString, config::FileFormat>| {
            #[derive(Deserialize)]
            struct Lists {
                #[serde(deserialize_with = "list")]
                trusted_proxies: Vec<String>,
            }
            config::Config::builder()
                .add_source(source)
                .build()
                .unwrap()
                .try_deserialize::<Lists>()
                .unwrap()
                .trusted_proxies
        };
        let toml = |text| config::File::from_str(text, config::FileFormat::Toml);
        let want = ["127.0.0.1", "10.0.0.0/8"];
        assert_eq!(
            from(toml(r#"trusted_proxies = ["127.0.0.1", "10.0.0.0/8"]"#)),
            want
        );
        assert_eq!(
            from(toml(r#"trusted_proxies = "127.0.0.1, 10.0.0.0/8""#)),
            want
        );
    }

    #[test]
    fn the_allowed_hosts_follow_the_listen_address() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let public = vec!["Sportello.Comune.Bergamo.it".to_owned()];
        assert_eq!(
            allowed_hosts(&[], ip("127.0.0.1")).unwrap(),
            ["localhost", "127.0.0.1", "::1"]
        );
        assert_eq!(
            allowed_hosts(&public, ip("10.0.0.5")).unwrap(),
            ["sportello.comune.bergamo.it", "10.0.0.5"]
        );
        assert_eq!(
            allowed_hosts(&public, ip("0.0.0.0")).unwrap(),
            [
                "sportello.comune.bergamo.it",
                "localhost",
                "127.0.0.1",
                "::1"
            ]
        );
        let err = allowed_hosts(&[], ip("0.0.0.0")).unwrap_err();
        assert!(err.contains("public_hosts"), "{err}");
        assert!(allowed_hosts(&["non valido".into()], ip("127.0.0.1")).is_err());
    }

    #[test]
    fn local_accounts_are_off_unless_the_file_or_the_environment_turns_them_on() {
        let portale = |toml: &str, env: &[(&str, &str)]| {
            config::Config::builder()
                .add_source(config::File::from_str(toml, config::FileFormat::Toml))
                .add_source(
                    config::Environment::with_prefix("SPORTELLO")
                        .prefix_separator("__")
                        .separator("__")
                        .source(Some(
                            env.iter()
                                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                                .collect(),
                        )),
                )
                .build()
                .unwrap()
                .get::<Portale>("portale")
                .unwrap_or_default()
                .local_accounts
        };
        assert!(!portale("", &[]));
        assert!(!portale("[portale]\n", &[]));
        assert!(portale("[portale]\nlocal_accounts = true\n", &[]));
        assert!(portale(
            "",
            &[("SPORTELLO__PORTALE__LOCAL_ACCOUNTS", "true")]
        ));
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
