//! What every page shares: the header with organization and user, the navigation for the
//! areas the role may open, breadcrumbs, the flash message, and the form-error summary.

use crate::auth::Ctx;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use domain::FieldError;
use domain::policy::{Action, RecordScope};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

pub struct Crumb {
    pub href: String,
    pub label: String,
}

#[derive(Clone)]
pub struct Flash {
    /// `success`, `info`, `warning` or `danger`: the alert's modifier class.
    pub kind: String,
    pub text: String,
}

/// Per-field errors of a form, in the order of the fields.
#[derive(Default)]
pub struct FormErrors(pub Vec<FieldError>);

impl FormErrors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
}

pub struct Layout {
    pub title: String,
    pub asset: &'static str,
    /// `None` on the login pages.
    pub ente: Option<String>,
    pub user: Option<String>,
    /// Seconds a session lasts without a request: the page warns before it expires.
    pub session_idle_s: Option<u64>,
    pub role: Option<&'static str>,
    pub can_switch_org: bool,
    pub nav: Vec<NavItem>,
    pub crumbs: Vec<Crumb>,
    pub flash: Option<Flash>,
    pub errors: FormErrors,
}

const FLASH_COOKIE: &str = "sportello_flash";

impl Layout {
    /// The layout of a login-step page (no navigation).
    pub fn bare(title: &str) -> Self {
        Self {
            title: format!("{title} – Sportello"),
            asset: crate::assets::VERSION,
            ente: None,
            user: None,
            session_idle_s: None,
            role: None,
            can_switch_org: false,
            nav: Vec::new(),
            crumbs: Vec::new(),
            flash: None,
            errors: FormErrors::default(),
        }
    }

    /// The layout of an operator's page in `area` (the nav item's href).
    pub fn page(ctx: &Ctx, jar: &CookieJar, title: &str, area: &str) -> Self {
        let items: [(&'static str, &'static str, bool); 18] = [
            ("/", "Scrivania", true),
            (
                "/persone",
                "Anagrafe sociale",
                ctx.can(Action::PersonView, RecordScope::SameOrg),
            ),
            (
                "/segretariato",
                "Segretariato",
                ctx.can(Action::AccessRecord, RecordScope::SameOrg),
            ),
            (
                "/cartelle",
                "Cartelle sociali",
                ctx.can(Action::CaseFileRead, RecordScope::SameOrg),
            ),
            (
                "/istanze",
                "Istanze",
                ctx.can(Action::ApplicationView, RecordScope::Own),
            ),
            (
                "/prestazioni",
                "Prestazioni",
                ctx.can(Action::ApplicationView, RecordScope::Own),
            ),
            (
                "/bandi",
                "Bandi",
                ctx.can(Action::ApplicationView, RecordScope::SameOrg),
            ),
            (
                "/dsu",
                "DSU",
                ctx.can(Action::DsuView, RecordScope::SameOrg),
            ),
            (
                "/agenda",
                "Agenda",
                ctx.can(Action::AppointmentManage, RecordScope::SameOrg),
            ),
            (
                "/admin",
                "Amministrazione",
                ctx.can(Action::OrgManage, RecordScope::SameOrg)
                    || ctx.can(Action::UserManage, RecordScope::SameOrg)
                    || ctx.can(Action::LetterheadEdit, RecordScope::SameOrg),
            ),
            (
                "/siuss",
                "SIUSS",
                ctx.can(Action::SiussManage, RecordScope::SameOrg),
            ),
            (
                "/fondi",
                "Fondi",
                ctx.can(Action::FundManage, RecordScope::SameOrg),
            ),
            (
                "/pagamenti",
                "Pagamenti",
                ctx.can(Action::PaymentManage, RecordScope::SameOrg),
            ),
            (
                "/rette",
                "Rette",
                ctx.can(Action::BillManage, RecordScope::SameOrg),
            ),
            (
                "/statistiche",
                "Statistiche",
                ctx.can(Action::ReportView, RecordScope::SameOrg),
            ),
            (
                "/audit",
                "Registro attività",
                ctx.can(Action::AuditView, RecordScope::SameOrg),
            ),
            (
                "/anagrafe/import",
                "Import anagrafe",
                ctx.can(Action::RegistryImport, RecordScope::SameOrg),
            ),
            (
                "/anagrafe/eventi",
                "Eventi anagrafici",
                ctx.can(Action::PersonView, RecordScope::SameOrg),
            ),
        ];
        let nav = items
            .into_iter()
            .filter(|(_, _, shown)| *shown)
            .map(|(href, label, _)| NavItem {
                href,
                label,
                current: href == area,
            })
            .collect();
        let area_label = match area {
            "/admin" => "Amministrazione",
            "/persone" => "Anagrafe sociale",
            "/segretariato" => "Segretariato sociale",
            "/cartelle" => "Cartelle sociali",
            "/agenda" => "Agenda",
            "/istanze" => "Istanze",
            "/prestazioni" => "Prestazioni",
            "/dsu" => "DSU",
            "/bandi" => "Bandi e graduatorie",
            "/audit" => "Registro attività",
            "/siuss" => "Flussi SIUSS",
            "/fondi" => "Fondi",
            "/pagamenti" => "Pagamenti",
            "/rette" => "Rette",
            "/statistiche" => "Statistiche",
            "/account" => "Il mio profilo",
            "/anagrafe/import" => "Import anagrafe",
            "/anagrafe/eventi" => "Eventi anagrafici",
            _ => "Scrivania",
        };
        Self {
            title: page_title(title, area_label, &ctx.org.name),
            asset: crate::assets::VERSION,
            ente: Some(ctx.org.name.clone()),
            user: Some(ctx.user.full_name.clone()),
            session_idle_s: ctx.session_idle.map(|d| d.as_secs()),
            role: Some(ctx.role.label()),
            can_switch_org: ctx.memberships.len() > 1,
            nav,
            crumbs: Vec::new(),
            flash: read_flash(jar),
            errors: FormErrors::default(),
        }
    }

    pub fn crumb(mut self, href: &str, label: &str) -> Self {
        self.crumbs.push(Crumb {
            href: href.into(),
            label: label.into(),
        });
        self
    }

    /// Shows the form errors: the summary at the top and `Errore: ` in the title.
    pub fn with_errors(mut self, errors: FormErrors) -> Self {
        if !errors.is_empty() {
            self.title = format!("Errore: {}", self.title);
        }
        self.errors = errors;
        self
    }
}

/// Messages waiting for the next page. They are kept here and in the database ([`share_flash`]),
/// and the cookie carries only a random id: a message may name a person or an amount, which
/// must not travel in a cookie or stay in the browser. The page after the redirect may be
/// served by another server: it finds the message in the database by the id's hash.
static PENDING: LazyLock<Mutex<HashMap<String, (Flash, Instant)>>> = LazyLock::new(Mutex::default);

/// A message not shown within this time is dropped (the browser went elsewhere).
const FLASH_TTL: Duration = Duration::from_secs(300);

fn pending() -> std::sync::MutexGuard<'static, HashMap<String, (Flash, Instant)>> {
    PENDING.lock().unwrap_or_else(|p| p.into_inner())
}

fn read_flash(jar: &CookieJar) -> Option<Flash> {
    let id = jar.get(FLASH_COOKIE)?.value();
    pending()
        .get(id)
        .filter(|(_, at)| at.elapsed() < FLASH_TTL)
        .map(|(f, _)| f.clone())
}

/// Sets a message shown once on the next page.
pub fn flash(jar: CookieJar, kind: &str, text: &str) -> CookieJar {
    // Without randomness the message is not worth an id another could guess: it is dropped.
    let Ok((id, _)) = app::credentials::new_secret("") else {
        return jar;
    };
    let mut map = pending();
    if map.len() > 10_000 {
        map.retain(|_, (_, at)| at.elapsed() < FLASH_TTL);
    }
    map.insert(
        id.clone(),
        (
            Flash {
                kind: kind.to_owned(),
                text: text.to_owned(),
            },
            Instant::now(),
        ),
    );
    jar.add(
        Cookie::build((FLASH_COOKIE, id))
            .http_only(true)
            .same_site(SameSite::Lax)
            .path("/")
            .build(),
    )
}

/// Removes the message once shown.
pub fn clear_flash(jar: CookieJar) -> CookieJar {
    match jar.get(FLASH_COOKIE).map(|c| c.value().to_owned()) {
        Some(id) => {
            pending().remove(&id);
            jar.remove(Cookie::build(FLASH_COOKIE).path("/").build())
        }
        None => jar,
    }
}

/// The browser's title of an operator's page: the page, its area unless the page is the area
/// itself («Istanze – Sportello», not «Istanze – Istanze»), the product and the organization.
fn page_title(title: &str, area: &str, org: &str) -> String {
    if title == area {
        format!("{title} – Sportello – {org}")
    } else {
        format!("{title} – {area} – Sportello – {org}")
    }
}

/// Shares the messages for the next page between servers: before the handler, a message the
/// cookie names that this process does not hold is fetched from the database; after it, a
/// message set by the response is written there, and one cleared is removed.
pub async fn share_flash(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    jar: CookieJar,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use store::ServerStore;
    let came = jar
        .get(FLASH_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|id| !id.is_empty());
    let since = state.clock.now_us() - FLASH_TTL.as_micros() as i64;
    if let Some(id) = &came
        && !pending().contains_key(id)
    {
        match state
            .store
            .get_flash(&app::credentials::hash_token(id), since)
            .await
        {
            Ok(Some((kind, text))) => {
                pending().insert(id.clone(), (Flash { kind, text }, Instant::now()));
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "messaggio per la pagina non letto"),
        }
    }
    let response = next.run(req).await;
    let prefix = format!("{FLASH_COOKIE}=");
    let set: Vec<String> = response
        .headers()
        .get_all(axum::http::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.strip_prefix(prefix.as_str()))
        .map(|v| v.split(';').next().unwrap_or("").trim().to_owned())
        .collect();
    for id in set {
        let result = if id.is_empty() {
            match &came {
                Some(old) => {
                    state
                        .store
                        .delete_flash(&app::credentials::hash_token(old))
                        .await
                }
                None => Ok(()),
            }
        } else {
            let message = pending().get(&id).map(|(f, _)| f.clone());
            match message {
                Some(f) => {
                    state
                        .store
                        .put_flash(
                            &app::credentials::hash_token(&id),
                            &f.kind,
                            &f.text,
                            state.clock.now_us(),
                        )
                        .await
                }
                None => Ok(()),
            }
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "messaggio per la pagina non condiviso");
        }
    }
    response
}

#[cfg(test)]
mod title_tests {
    use super::page_title;

    #[test]
    fn a_page_that_is_its_area_is_not_named_twice() {
        assert_eq!(
            page_title("Istanze", "Istanze", "Comune di Bergamo"),
            "Istanze – Sportello – Comune di Bergamo"
        );
        assert_eq!(
            page_title("Nuova istanza", "Istanze", "Comune di Bergamo"),
            "Nuova istanza – Istanze – Sportello – Comune di Bergamo"
        );
    }
}
