//! The letterhead and the register of acts (issue 23, item 5): the letterhead edited by the
//! organization's administrator or responsabile and printed on the letters and under the
//! e-mails; decisions, notices and integration requests numbered per kind and year without
//! gaps, also when decided at the same time; the register only for who sees every
//! application of the organization.

use crate::istanze_fixtures::{
    assert_redirect, attest, file_mensa, office, org_id, register_rossi, upload_identity, year,
};
use crate::smtp::{Behaviour, SmtpSink};
use crate::snapshots::pdf_text;
use crate::support::{Client, staff};
use axum::http::StatusCode;
use domain::Role;
use domain::application::{ActKind, TransitionInput};
use store::{AuditFilter, AuditStore, BenefitStore, OrgStore, UserStore};
use uuid::Uuid;
use web::AppState;

on_both!(
    acts_are_numbered_per_kind_and_year_without_gaps_even_at_the_same_time,
    the_letterhead_is_edited_by_its_office_and_printed_on_letters_and_e_mails,
    a_logo_is_checked_by_its_content_kept_per_organization_and_drawn_on_the_letters,
    the_register_is_for_who_sees_every_application,
);

const BERGAMO: &[(&str, &str)] = &[
    ("office", "Settore Servizi sociali – Ufficio Prestazioni"),
    ("address", "Piazza Matteotti 27"),
    ("postcode", "24122"),
    ("city", "Bergamo (BG)"),
    ("phone", "035 399111"),
    ("pec", "protocollo@cert.comune.bergamo.it"),
    ("email", "servizisociali@comune.bergamo.it"),
    ("website", "https://www.comune.bergamo.it"),
    ("hours", "lunedì–venerdì 9–12"),
    ("signer_title", "La Responsabile del Servizio"),
    ("signer_name", "dott.ssa Anna Bianchi"),
    ("version", "0"),
];

/// The sample logo: a PNG of 160 × 192 pixels with transparency.
pub(crate) const LOGO: &[u8] = include_bytes!("../../../../docs/examples/logo-comune.png");

/// The images of a PDF (their soft masks aside): width and height of each.
pub(crate) fn pdf_images(bytes: &[u8]) -> Vec<(i64, i64)> {
    use lopdf::Object;
    let doc = lopdf::Document::load_mem(bytes).expect("the PDF parses");
    let images: Vec<(lopdf::ObjectId, &lopdf::Dictionary)> = doc
        .objects
        .iter()
        .filter_map(|(id, o)| o.as_stream().ok().map(|s| (*id, &s.dict)))
        .filter(|(_, d)| {
            d.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image".as_slice())
        })
        .collect();
    let masks: Vec<lopdf::ObjectId> = images
        .iter()
        .filter_map(|(_, d)| d.get(b"SMask").and_then(Object::as_reference).ok())
        .collect();
    images
        .iter()
        .filter(|(id, _)| !masks.contains(id))
        .map(|(_, d)| {
            let side = |k: &[u8]| d.get(k).and_then(Object::as_i64).expect("a side");
            (side(b"Width"), side(b"Height"))
        })
        .collect()
}

/// An application of Rossi filed at the counter (`op`) and accepted by the responsabile
/// (`resp`): its path.
async fn accepted(state: &AppState, resp: &mut Client, op: &mut Client) -> String {
    let app = under_review(state, op, 1).await.remove(0);
    upload_identity(op, &app).await;
    assert_redirect(
        &resp
            .post(
                &format!("{app}/stato"),
                &[("to", "accolta"), ("version", "2"), ("note", "")],
            )
            .await,
    );
    app
}

/// The administrator of another organization, comune-brescia.
async fn brescia_admin(state: &AppState) -> Client {
    staff(
        state,
        "comune-brescia",
        "017029",
        "admin-bs",
        Role::Amministratore,
    )
    .await
}

/// How many rows of comune-bergamo's audit log have `action`.
async fn audit_rows(state: &AppState, action: &str) -> usize {
    state
        .store
        .list_audit(&AuditFilter {
            org_id: Some(org_id(state).await),
            action: Some(action.into()),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .unwrap()
        .len()
}

/// `n` applications of Rossi for school meals, under review; their paths.
pub(crate) async fn under_review(state: &AppState, op: &mut Client, n: usize) -> Vec<String> {
    let person = register_rossi(op).await;
    let attestation = attest(state, op, &person).await;
    let mut apps = Vec::new();
    for _ in 0..n {
        let app = file_mensa(state, op, &person, &attestation).await;
        let r = op
            .post(
                &format!("{app}/stato"),
                &[("to", "in_istruttoria"), ("version", "1")],
            )
            .await;
        assert_redirect(&r);
        apps.push(app);
    }
    apps
}

fn app_id(path: &str) -> Uuid {
    Uuid::parse_str(path.trim_start_matches("/istanze/")).unwrap()
}

/// The responsabile of comune-bergamo as the services see them.
async fn responsabile(state: &AppState) -> app::Actor {
    let user = state
        .store
        .get_user_by_login(&domain::Login::parse("responsabile").unwrap())
        .await
        .unwrap();
    let org = state.store.get_org(org_id(state).await).await.unwrap();
    app::Actor::user(&user, org, Role::Responsabile, state.clock.now())
}

/// Moves the application at `path` (now at `version`) to `to` through the services.
async fn change(
    state: &AppState,
    ctx: &app::Actor,
    path: &str,
    to: &str,
    note: &str,
    version: i64,
) {
    let a = app::procedure::application_access(state, ctx, app_id(path))
        .await
        .unwrap();
    let input = TransitionInput {
        to: to.into(),
        note: note.into(),
        observations: String::new(),
        version: version.to_string(),
    };
    let changed = app::procedure::change_state(state, ctx, &a, &input)
        .await
        .unwrap();
    assert!(changed.is_ok(), "{path} → {to}: {:?}", changed.err());
}

async fn numbers(state: &AppState, year: i32, kind: ActKind) -> Vec<i64> {
    state
        .store
        .list_acts(org_id(state).await, year, Some(kind))
        .await
        .unwrap()
        .iter()
        .map(|v| v.act.number)
        .collect()
}

async fn acts_are_numbered_per_kind_and_year_without_gaps_even_at_the_same_time(state: AppState) {
    let (_resp, mut op) = office(&state).await;
    let apps = under_review(&state, &mut op, 7).await;
    let this_year = year(&state);
    // Six archived at the same time: six decisions, numbered 1 to 6.
    let mut running = tokio::task::JoinSet::new();
    for path in &apps[..6] {
        let (state, path) = (state.clone(), path.clone());
        running.spawn(async move {
            let ctx = responsabile(&state).await;
            change(
                &state,
                &ctx,
                &path,
                "archiviata",
                "Rinuncia del richiedente",
                2,
            )
            .await;
        });
    }
    while let Some(done) = running.join_next().await {
        done.unwrap();
    }
    let mut decided = numbers(&state, this_year, ActKind::Decision).await;
    decided.sort_unstable();
    assert_eq!(decided, [1, 2, 3, 4, 5, 6]);
    // Another kind counts from 1 on its own.
    let last = &apps[6];
    let r = op
        .post(
            &format!("{last}/stato"),
            &[
                ("to", "integrazione_richiesta"),
                ("version", "2"),
                ("note", "Certificato di frequenza scolastica"),
            ],
        )
        .await;
    assert_redirect(&r);
    assert_eq!(numbers(&state, this_year, ActKind::Integration).await, [1]);
    let page = op.get(last).await;
    assert!(
        page.body.contains(&format!(
            "Richiesta di integrazione documentale n. 1/{this_year}"
        )),
        "{}",
        page.text("section[aria-labelledby=procedimento]")
    );
    // A new year starts again from 1.
    state
        .clock
        .advance(std::time::Duration::from_secs(366 * 24 * 3600));
    let ctx = responsabile(&state).await;
    change(&state, &ctx, last, "in_istruttoria", "", 3).await;
    change(
        &state,
        &ctx,
        last,
        "archiviata",
        "Documenti non presentati",
        4,
    )
    .await;
    assert_eq!(numbers(&state, this_year + 1, ActKind::Decision).await, [1]);
    assert_eq!(numbers(&state, this_year, ActKind::Decision).await.len(), 6);
    // Each act is the one of its application, and another organization has none of them.
    let acts = state
        .store
        .application_acts(org_id(&state).await, app_id(last))
        .await
        .unwrap();
    let kinds: Vec<ActKind> = acts.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, [ActKind::Integration, ActKind::Decision]);
    staff(
        &state,
        "comune-brescia",
        "017029",
        "altro",
        Role::Responsabile,
    )
    .await;
    let other = state
        .store
        .get_org_by_code(&domain::OrgCode::parse("comune-brescia").unwrap())
        .await
        .unwrap();
    assert!(
        state
            .store
            .list_acts(other.id, this_year, None)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn the_letterhead_is_edited_by_its_office_and_printed_on_letters_and_e_mails(
    state: AppState,
) {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let mut state = state;
    state.mailer = sink.mailer();
    let (mut resp, mut op) = office(&state).await;

    // The counter may not edit it; the responsabile may, and bad fields are named.
    assert_eq!(
        op.get("/admin/carta-intestata").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        op.post("/admin/carta-intestata", BERGAMO).await.status,
        StatusCode::FORBIDDEN
    );
    let bad = resp
        .post(
            "/admin/carta-intestata",
            &[("postcode", "241"), ("pec", "protocollo"), ("version", "0")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text("#postcode-err").contains("CAP"), "{}", bad.body);
    assert!(bad.text("#pec-err").contains("PEC"), "{}", bad.body);
    assert_redirect(&resp.post("/admin/carta-intestata", BERGAMO).await);
    let form = resp.get("/admin/carta-intestata").await;
    assert_eq!(form.attr("#signer_name", "value"), "dott.ssa Anna Bianchi");
    // A second save from the same stale form is a conflict, not a silent overwrite.
    assert_eq!(
        resp.post("/admin/carta-intestata", BERGAMO).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        audit_rows(&state, "org.letterhead").await,
        1,
        "one audit row for the one save"
    );

    // Another organization's administrator sees their own, empty letterhead.
    let mut other = brescia_admin(&state).await;
    let theirs = other.get("/admin/carta-intestata").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_eq!(theirs.attr("#signer_name", "value"), "");

    // An application accepted: its letter and its e-mail carry the letterhead.
    let app = &accepted(&state, &mut resp, &mut op).await;
    let y = year(&state);
    let text = pdf_text(&resp.get(&format!("{app}/provvedimento.pdf")).await);
    for s in [
        &format!("Provvedimento n. 1/{y} del"),
        "Settore Servizi sociali – Ufficio Prestazioni",
        "Piazza Matteotti 27 – 24122 Bergamo (BG)",
        "PEC protocollo@cert.comune.bergamo.it",
        "La Responsabile del Servizio",
        "dott.ssa Anna Bianchi",
    ] {
        assert!(text.contains(s), "«{s}» not in:\n{text}");
    }
    let mails = sink.received();
    let accepted = mails
        .iter()
        .map(|m| m.body())
        .find(|b| b.contains("accolta"))
        .expect("the acceptance e-mail");
    for s in [
        "Cordiali saluti,\nComune comune-bergamo\nSettore Servizi sociali – Ufficio Prestazioni\nPiazza Matteotti 27 – 24122 Bergamo (BG)\n",
        "Tel. 035 399111",
        "Orari di apertura: lunedì–venerdì 9–12",
    ] {
        assert!(accepted.contains(s), "«{s}» not in:\n{accepted}");
    }
}

async fn a_logo_is_checked_by_its_content_kept_per_organization_and_drawn_on_the_letters(
    state: AppState,
) {
    const PAGE: &str = "/admin/carta-intestata";
    const UPLOAD: &str = "/admin/carta-intestata/logo";
    let (mut resp, mut op) = office(&state).await;

    // The counter may neither upload nor see it.
    for r in [
        op.upload(UPLOAD, &[], Some(("logo.png", LOGO))).await,
        op.get(UPLOAD).await,
        op.post("/admin/carta-intestata/logo/rimuovi", &[]).await,
    ] {
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }

    // What is not a PNG or a JPEG is refused by its content, whatever its name, beside the
    // field; so are one too large and one that does not decode. Nothing is saved.
    let page = b"<!doctype html><html><body><script>alert(1)</script></body></html>";
    let mut damaged = LOGO.to_vec();
    for b in &mut damaged[100..140] {
        *b = !*b;
    }
    let larger = |kib: usize| {
        let mut b = LOGO.to_vec();
        b.resize(kib * 1024, 0);
        b.extend_from_slice(&LOGO[LOGO.len() - 12..]);
        b
    };
    // Over the logo's limit, and over the body this address takes.
    let (large, huge) = (larger(520), larger(700));
    let pdf = crate::support::minimal_pdf();
    for (bytes, name, says) in [
        (page.as_slice(), "logo.png", "PNG o JPEG"),
        (pdf.as_slice(), "logo.pdf", "PNG o JPEG"),
        (damaged.as_slice(), "logo.png", "danneggiata"),
        (large.as_slice(), "logo.png", "512 KiB"),
        (huge.as_slice(), "logo.png", "512 KiB"),
        (b"".as_slice(), "", "scegliere il file del logo"),
    ] {
        let r = resp.upload(UPLOAD, &[], Some((name, bytes))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{says}");
        assert!(r.text("#logo-err").contains(says), "{says}: {}", r.body);
        assert_eq!(r.attr(".sp-error-summary a", "href"), "#logo");
        assert_eq!(r.attr("#logo", "aria-invalid"), "true");
    }
    assert_eq!(resp.get(UPLOAD).await.status, StatusCode::NOT_FOUND);
    assert_eq!(audit_rows(&state, "org.logo").await, 0, "nothing saved");

    // A PNG named as anything is taken; the page shows it, served to its office only.
    assert_redirect(&resp.upload(UPLOAD, &[], Some(("stemma", LOGO))).await);
    let form = resp.get(PAGE).await;
    assert_eq!(form.attr(".sp-logo img", "src"), UPLOAD);
    assert!(
        form.text(".sp-logo figcaption").contains("160 × 192 pixel"),
        "{}",
        form.body
    );
    let served = resp.get(UPLOAD).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(
        served.headers[axum::http::header::CONTENT_TYPE],
        "image/png"
    );
    assert_eq!(served.bytes.as_ref(), LOGO);
    assert_eq!(audit_rows(&state, "org.logo").await, 1);

    // Another organization's administrator has none, and no way to read this one.
    let mut other = brescia_admin(&state).await;
    assert_eq!(other.get(UPLOAD).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(PAGE).await.attr(".sp-logo img", "src"), "");

    // The decision carries it at the top, as an image with its transparency.
    let app = &accepted(&state, &mut resp, &mut op).await;
    let decision = format!("{app}/provvedimento.pdf");
    assert_eq!(
        pdf_images(&resp.get(&decision).await.bytes),
        vec![(160, 192)]
    );

    // Removed: gone from the page and from the letters printed after.
    assert_redirect(&resp.post("/admin/carta-intestata/logo/rimuovi", &[]).await);
    assert_eq!(resp.get(UPLOAD).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        resp.post("/admin/carta-intestata/logo/rimuovi", &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(pdf_images(&resp.get(&decision).await.bytes).is_empty());
    assert_eq!(audit_rows(&state, "org.logo_remove").await, 1);
}

async fn the_register_is_for_who_sees_every_application(state: AppState) {
    let (mut resp, mut op) = office(&state).await;
    let apps = under_review(&state, &mut op, 1).await;
    let app = &apps[0];
    assert_redirect(
        &resp
            .post(
                &format!("{app}/stato"),
                &[
                    ("to", "archiviata"),
                    ("version", "2"),
                    ("note", "Rinuncia del richiedente"),
                ],
            )
            .await,
    );
    let y = year(&state);
    // The counter sees every application of the office, and so the register.
    let page = op.get("/istanze/registro").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("1/{y}")), "{}", page.body);
    assert!(page.body.contains("Rossi Mario"), "{}", page.body);
    assert!(
        page.body.contains(&format!("href=\"{app}\"")),
        "{}",
        page.body
    );
    let filtered = op
        .get(&format!("/istanze/registro?anno={y}&tipo=preavviso"))
        .await;
    assert!(filtered.body.contains("Nessun atto"), "{}", filtered.body);
    let bad = op.get("/istanze/registro?anno=duemila").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // The reading is logged: the register names the applicants.
    state.reads.flush().await;
    assert_eq!(
        audit_rows(&state, "application.register").await,
        2,
        "every reading of the register is logged"
    );
    // A CAF operator sees only their own applications: not the register.
    let mut caf = staff(
        &state,
        "comune-bergamo",
        "016024",
        "caf",
        Role::OperatoreCaf,
    )
    .await;
    assert_eq!(
        caf.get("/istanze/registro").await.status,
        StatusCode::FORBIDDEN
    );
    // Another organization's register is its own.
    let mut other = staff(
        &state,
        "comune-brescia",
        "017029",
        "altro",
        Role::Responsabile,
    )
    .await;
    let theirs = other.get("/istanze/registro").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(!theirs.body.contains("Rossi"), "{}", theirs.body);
}
