//! Administration and the walls between organizations: by page, by id in the URL, by API.

use crate::support::{self, ADMIN_PASSWORD, Client};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use store::{AuditFilter, AuditStore, OrgStore};

/// Creates an organization from the admin pages and returns its id.
async fn create_org(admin: &mut Client, code: &str, name: &str, istat: &str) -> String {
    let r = admin
        .post(
            "/admin/enti/nuovo",
            &[
                ("codice", code),
                ("nome", name),
                ("tipo", "comune"),
                ("comuni", istat),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location().trim_start_matches("/admin/enti/").to_owned()
}

/// Creates an account from the admin pages and returns its one-time password.
async fn create_user(admin: &mut Client, login: &str, org_id: &str, role: &str) -> String {
    let r = admin
        .post(
            "/admin/utenti/nuovo",
            &[
                ("login", login),
                ("nome", "Mario Rossi"),
                ("email", ""),
                ("ente", org_id),
                ("ruolo", role),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.text("#password-provvisoria")
}

#[tokio::test]
async fn organizations_are_created_with_their_comuni_and_bad_input_is_named() {
    let app = support::app().await;
    let mut admin = Client::new(&app);
    admin.login_fully("admin", ADMIN_PASSWORD).await;
    let r = admin
        .post(
            "/admin/enti/nuovo",
            &[
                ("codice", "a b"),
                ("nome", ""),
                ("tipo", "banca"),
                ("comuni", "12345x"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["codice", "nome", "tipo", "comuni"] {
        assert!(
            r.html()
                .select(
                    &scraper::Selector::parse(&format!(".sp-error-summary a[href='#{field}']"))
                        .unwrap()
                )
                .next()
                .is_some(),
            "{field} named"
        );
    }
    assert_eq!(r.text("#nome").len(), 0, "the form is shown again");
    let id = create_org(&mut admin, "comune-bergamo", "Comune di Bergamo", "016024").await;
    let page = admin.get(&format!("/admin/enti/{id}")).await;
    assert_eq!(page.text("h1"), "Comune di Bergamo");
    let comuni = app.store.org_comuni(id.parse().unwrap()).await.unwrap();
    assert_eq!(
        (comuni[0].name.as_str(), comuni[0].belfiore_code.as_str()),
        ("Bergamo", "A794")
    );
    let dup = admin
        .post(
            "/admin/enti/nuovo",
            &[
                ("codice", "comune-bergamo"),
                ("nome", "Altro"),
                ("tipo", "comune"),
                ("comuni", "016024"),
            ],
        )
        .await;
    assert!(dup.text("#codice-err").contains("esiste già"));
    let audit = app
        .store
        .list_audit(&AuditFilter {
            action_prefix: Some("org.create".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|r| r.summary.contains("Comune di Bergamo") && r.actor == "admin")
    );
}

#[tokio::test]
async fn an_operator_sees_only_their_organization_by_page_url_and_api() {
    let app = support::app().await;
    let mut admin = Client::new(&app);
    admin.login_fully("admin", ADMIN_PASSWORD).await;
    let a = create_org(&mut admin, "comune-a", "Comune di Bergamo", "016024").await;
    let b = create_org(&mut admin, "comune-b", "Comune di Seriate", "016203").await;
    let pw = create_user(&mut admin, "operatore.a", &a, "operatore_sportello").await;
    let pw_b_admin = create_user(&mut admin, "admin.b", &b, "amministratore").await;
    let user_b = app.store.list_orgs().await.unwrap();
    assert_eq!(user_b.len(), 3);

    let mut op = Client::new(&app);
    op.login_fully("operatore.a", &pw).await;
    let home = op.get("/").await;
    assert_eq!(home.text(".sp-slim__ente").trim(), "Comune di Bergamo");
    assert!(!home.body.contains("Amministrazione") && !home.body.contains("Cambia ente"));
    for path in [
        format!("/admin/enti/{b}"),
        "/admin/enti".into(),
        "/admin/utenti".into(),
        "/audit".into(),
    ] {
        let r = op.get(&path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    // An organization's own administrator manages it, and only it.
    let mut adm_b = Client::new(&app);
    adm_b.login_fully("admin.b", &pw_b_admin).await;
    let list = adm_b.get("/admin/enti").await;
    assert!(list.body.contains("Comune di Seriate") && !list.body.contains("Comune di Bergamo"));
    assert_eq!(
        adm_b.get(&format!("/admin/enti/{a}")).await.status,
        StatusCode::FORBIDDEN
    );
    let users = adm_b.get("/admin/utenti").await;
    assert!(!users.body.contains("operatore.a"));
    let op_id = users_id(&app, "operatore.a").await;
    assert_eq!(
        adm_b.get(&format!("/admin/utenti/{op_id}")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        adm_b
            .post(&format!("/admin/utenti/{op_id}/stato"), &[("attivo", "0")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = adm_b
        .post(
            "/admin/utenti/nuovo",
            &[
                ("login", "intruso"),
                ("nome", "X Y"),
                ("ente", &a),
                ("ruolo", "responsabile"),
            ],
        )
        .await;
    assert!(
        r.text("#ente-err").contains("scegli l'ente"),
        "cannot create accounts in another organization"
    );

    // Through the API, with a token scoped to organization B.
    let r = adm_b.post("/account/token", &[("nome", "prova")]).await;
    let token = r.text("#nuovo-token");
    assert!(token.starts_with("spt_"));
    let api = |path: String| {
        Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    let me = Client::new(&app).send(api("/api/v1/me".into())).await;
    assert!(me.body.contains("comune-b"), "{}", me.body);
    assert_eq!(
        Client::new(&app)
            .send(api(format!("/api/v1/organizations/{a}")))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        Client::new(&app)
            .send(api(format!("/api/v1/users/{op_id}")))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let own = Client::new(&app)
        .send(api(format!("/api/v1/organizations/{b}")))
        .await;
    assert!(own.body.contains("Seriate"));
    let list = Client::new(&app)
        .send(api("/api/v1/organizations".into()))
        .await;
    assert!(!list.body.contains("comune-a"));
}

async fn users_id(app: &web::AppState, login: &str) -> uuid::Uuid {
    use store::UserStore;
    app.store
        .get_user_by_login(&domain::Login::parse(login).unwrap())
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_and_blocks_login() {
    let app = support::app().await;
    let mut admin = Client::new(&app);
    admin.login_fully("admin", ADMIN_PASSWORD).await;
    let a = create_org(&mut admin, "comune-a", "Comune di Bergamo", "016024").await;
    let pw = create_user(&mut admin, "anna", &a, "operatore_caf").await;
    let mut anna = Client::new(&app);
    let pw = anna.login_fully("anna", &pw).await;
    assert_eq!(anna.get("/").await.status, StatusCode::OK);
    let id = users_id(&app, "anna").await;
    let r = admin
        .post(&format!("/admin/utenti/{id}/stato"), &[("attivo", "0")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(anna.get("/").await.location(), "/login");
    let r = anna
        .post("/login", &[("login", "anna"), ("password", &pw)])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // A reset gives a new one-time password, shown once.
    admin
        .post(&format!("/admin/utenti/{id}/stato"), &[("attivo", "1")])
        .await;
    let page = admin
        .post(&format!("/admin/utenti/{id}/password"), &[])
        .await;
    let fresh = page.text("#password-provvisoria");
    assert_eq!(fresh.len(), 23);
    assert_eq!(
        anna.post("/login", &[("login", "anna"), ("password", &fresh)])
            .await
            .location(),
        "/password"
    );
}

#[tokio::test]
async fn an_administrator_sees_and_lifts_a_login_wait() {
    let app = support::app().await;
    let mut admin = Client::new(&app);
    admin.login_fully("admin", ADMIN_PASSWORD).await;
    let a = create_org(&mut admin, "comune-a", "Comune di Bergamo", "016024").await;
    let pw = create_user(&mut admin, "anna", &a, "operatore_caf").await;
    let id = users_id(&app, "anna").await;
    let mut anna = Client::new(&app);
    for _ in 0..5 {
        anna.post("/login", &[("login", "anna"), ("password", "sbagliata")])
            .await;
    }
    let right = [("login", "anna"), ("password", pw.as_str())];
    assert_eq!(
        anna.post("/login", &right).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let page = admin.get(&format!("/admin/utenti/{id}")).await;
    let locks = page.text("#blocchi");
    assert!(
        locks.contains("password errate da sconosciuto") && locks.contains("1 minuto"),
        "{}",
        page.body
    );

    let other = create_user(&mut admin, "bruno", &a, "operatore_caf").await;
    let mut bruno = Client::new(&app);
    bruno.login_fully("bruno", &other).await;
    assert_eq!(
        bruno
            .post(&format!("/admin/utenti/{id}/sblocca"), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = admin
        .post(&format!("/admin/utenti/{id}/sblocca"), &[])
        .await;
    assert_eq!(r.location(), format!("/admin/utenti/{id}"));
    let page = admin.get(&format!("/admin/utenti/{id}")).await;
    assert!(page.text("#blocchi").is_empty(), "{}", page.body);
    assert_eq!(anna.post("/login", &right).await.location(), "/password");
    let audit = app
        .store
        .list_audit(&AuditFilter {
            action_prefix: Some("user.unlock".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert!(audit[0].summary.contains("anna") && audit[0].actor == "admin");
}

#[tokio::test]
async fn the_revisore_browses_and_exports_the_audit_log() {
    let app = support::app().await;
    let mut admin = Client::new(&app);
    admin.login_fully("admin", ADMIN_PASSWORD).await;
    let a = create_org(&mut admin, "comune-a", "Comune di Bergamo", "016024").await;
    let pw = create_user(&mut admin, "revisore.a", &a, "revisore").await;
    let mut rev = Client::new(&app);
    rev.login_fully("revisore.a", &pw).await;
    let page = rev.get("/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("user.create") && page.body.contains("session.login"),
        "{}",
        page.body
    );
    // The actions in words, chosen from a list: a group, or one action exactly.
    assert_eq!(page.text("th:first-child"), "Data e ora (ora italiana)");
    assert!(
        page.body.contains("Creazione di un utente"),
        "{}",
        page.body
    );
    assert_eq!(
        page.attr("#azione option[value='user.create']", "value"),
        "user.create"
    );
    let users = rev.get("/audit?azione=user.").await;
    let rows = users.text("tbody");
    assert!(
        rows.contains("Creazione di un utente") && !rows.contains("Accesso al sistema"),
        "{rows}"
    );
    assert_eq!(
        users.attr("#azione option[selected]", "value"),
        "user.",
        "the choice is kept"
    );
    let logins = rev.get("/audit?azione=session.login").await.text("tbody");
    assert!(logins.contains("Accesso al sistema") && !logins.contains("Creazione di un utente"));
    let filtered = rev.get("/audit?azione=user.totp").await.text("tbody");
    assert!(filtered.contains("user.totp_enrol") && !filtered.contains("org.create"));
    let bad = rev.get("/audit?dal=31/02/2026").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text("#dal-err").contains("gg/mm/aaaa"));
    let csv = rev.get("/audit/export.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with('\u{feff}'));
    assert!(
        csv.body
            .contains("data e ora (ora italiana);ente;sequenza;utente;azione;azione in chiaro")
    );
    assert!(
        csv.body.contains(";user.create;Creazione di un utente;"),
        "{}",
        csv.body
    );
    // Every row of the organization's chain is there, with its hash (formula cells:
    // audit::a_formula_in_an_audit_summary_is_neutralized_in_the_export_fullwidth_included).
    let rows: Vec<&str> = csv.body.lines().skip(1).collect();
    assert!(
        rows.iter().any(|r| r.contains("creato utente revisore.a")),
        "{}",
        csv.body
    );
    assert!(
        rows.iter()
            .all(|r| r.rsplit(';').next().is_some_and(|h| h.len() == 64))
    );
    // The export itself is in the log; another organization's chain is not visible.
    let after = rev.get("/audit?azione=audit.export").await;
    assert!(after.text("tbody").contains("audit.export"));
    assert_eq!(
        rev.get("/audit?ente=sistema").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_api_decodes_a_codice_fiscale_like_the_command_line() {
    let app = support::app().await;
    let mut admin = Client::new(&app);
    admin.login_fully("admin", ADMIN_PASSWORD).await;
    let a = create_org(&mut admin, "comune-a", "Comune di Bergamo", "016024").await;
    let pw = create_user(&mut admin, "sportello.a", &a, "operatore_sportello").await;
    let mut op = Client::new(&app);
    op.login_fully("sportello.a", &pw).await;
    let token = op
        .post("/account/token", &[("nome", "cf")])
        .await
        .text("#nuovo-token");
    let get = |path: &str, token: &str| {
        Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    let r = Client::new(&app)
        .send(get("/api/v1/codice-fiscale/rssmra85t10a475x", &token))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        (v["valid"].as_bool(), v["birthplace_name"].as_str()),
        (Some(true), Some("Assisi"))
    );
    assert_eq!(v["normalized"], "RSSMRA85T10A475X");
    assert!(
        r.body
            .starts_with("{\"input\":\"rssmra85t10a475x\",\"valid\":true"),
        "{}",
        r.body
    );
    let bad = Client::new(&app)
        .send(get("/api/v1/codice-fiscale/RSSMRA85T10A475Y", &token))
        .await;
    let v: serde_json::Value = serde_json::from_str(&bad.body).unwrap();
    assert_eq!(v["valid"], false);
    assert!(v["error"].as_str().unwrap().contains('X'), "{v}");
    assert_eq!(
        Client::new(&app)
            .send(get("/api/v1/codice-fiscale/x", "spt_nope"))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn users_are_listed_with_organization_and_role_and_created_from_an_organization() {
    let app = support::app().await;
    let mut admin = Client::new(&app);
    admin.login_fully("admin", ADMIN_PASSWORD).await;
    let a = create_org(&mut admin, "comune-a", "Comune di Bergamo", "016024").await;
    let b = create_org(&mut admin, "comune-b", "Comune di Brescia", "017029").await;
    create_user(&mut admin, "anna.b", &b, "assistente_sociale").await;
    let list = admin.get("/admin/utenti").await;
    let anna = list
        .html()
        .select(&scraper::Selector::parse("tr").unwrap())
        .map(|r| r.text().collect::<String>())
        .find(|t| t.contains("anna.b"))
        .unwrap();
    assert!(
        anna.contains("Comune di Brescia: Assistente sociale"),
        "{anna}"
    );

    // The organization's page offers to create a user there, and the form preselects it.
    let org = admin.get(&format!("/admin/enti/{b}")).await;
    let href = format!("/admin/utenti/nuovo?ente={b}");
    assert_eq!(org.attr(&format!("a[href='{href}']"), "href"), href);
    let form = admin.get(&href).await;
    assert_eq!(form.attr("#ente option[selected]", "value"), b);
    assert_ne!(a, b);
    // A citizen's account is the portal's: not a role of the office.
    assert!(
        form.attr("#ruolo option[value=cittadino]", "value")
            .is_empty(),
        "{}",
        form.body
    );
    let r = admin
        .post(
            "/admin/utenti/nuovo",
            &[
                ("login", "carlo.c"),
                ("nome", "Carlo Conti"),
                ("email", ""),
                ("ente", b.as_str()),
                ("ruolo", "cittadino"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text("#ruolo-err").contains("ruolo"), "{}", r.body);
    assert_eq!(
        r.attr("#login", "value"),
        "carlo.c",
        "what was typed is kept"
    );
}
