//! Calls for applications and their rankings (`/bandi`) on SQLite and PostgreSQL: a call of
//! the «contributo straordinario» with its scoring rules; applications only inside the window
//! and once per person, each refusal naming the call; the ranking by score, then ISEE, then
//! protocol, byte-identical when computed again; the publication without names, codici fiscali
//! or ISEE, with a group under five only counted; provisional → appeals → final; funding down
//! the list with the last one in part, accepted through the procedure, and scrolling when
//! funds are added; the breakdown of each score; who may do what.

use crate::istanze_fixtures::{assert_redirect, benefit_id, office, org_id, year};
use crate::support::{Client, Response, staff};
use axum::http::StatusCode;
use domain::Role;
use domain::application::ApplicationState;
use domain::localtime::today;
use store::{AuditFilter, AuditStore, BenefitStore, CallStore};
use territory::codice_fiscale::{CodiceFiscale, Sex};
use territory::places::BelfioreCode;
use uuid::Uuid;
use web::AppState;

/// Surnames of the applicants the fixtures register, one each.
const SURNAMES: [&str; 32] = [
    "Bianchi",
    "Colombo",
    "Ferrari",
    "Esposito",
    "Romano",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "Costa",
    "Giordano",
    "Mancini",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Barbieri",
    "Fontana",
    "Santoro",
    "Mariani",
    "Rinaldi",
    "Caruso",
    "Ferrara",
    "Galli",
    "Martini",
    "Leone",
    "Longo",
    "Gentile",
    "Martinelli",
    "Vitale",
    "Serra",
];

/// The codice fiscale of applicant `n` (born in Bergamo on a day of their own).
pub(crate) fn applicant_cf(n: usize) -> String {
    CodiceFiscale::encode(
        SURNAMES[n],
        "Anna",
        Sex::F,
        birth(n),
        BelfioreCode::new("A794").unwrap(),
    )
    .unwrap()
    .as_str()
    .to_owned()
}

fn birth(n: usize) -> time::Date {
    time::macros::date!(1975 - 01 - 01) + time::Duration::days(41 * n as i64)
}

/// Registers applicant `n` with an attestation of ISEE `isee` euro (scale 1, one member); the
/// codice fiscale.
pub(crate) async fn register_applicant(
    state: &AppState,
    op: &mut Client,
    n: usize,
    isee: i64,
) -> String {
    let cf = applicant_cf(n);
    let birth = domain::dates::format_date(birth(n));
    let r = op
        .post(
            "/persone/nuova",
            &[
                ("codice_fiscale", cf.as_str()),
                ("surname", SURNAMES[n]),
                ("given_names", "Anna"),
                ("sex", "F"),
                ("birth_date", birth.as_str()),
                ("birthplace", "Bergamo"),
                ("citizenship", "IT"),
                ("residence_istat", "016024"),
                ("residence_street", "Via Roma 1"),
            ],
        )
        .await;
    assert_redirect(&r);
    let person = r.location().to_owned();
    let figure = domain::money::Money::from_euro(isee).format_plain();
    let protocol = format!("INPS-ISEE-{}-{:08}A-00", year(state), 100 + n);
    let submitted = domain::dates::format_date(today(state.clock.now()));
    let r = op
        .post(
            &format!("{person}/isee"),
            &[
                ("protocol", protocol.as_str()),
                ("submitted_on", submitted.as_str()),
                ("variant", "ordinario"),
                ("isee", figure.as_str()),
                ("ise", figure.as_str()),
                ("isr", figure.as_str()),
                ("isp", "0"),
                ("scala", "1,00"),
                ("members", "1"),
            ],
        )
        .await;
    assert_redirect(&r);
    cf
}

/// Opens, as the responsabile, a call of the «contributo straordinario» (600, 400 or 250 €
/// by ISEE band; ISEE up to 9.360 €) taking applications from today for two days, with
/// `budget` euro, the last funded in part, points by ISEE band and by rent against the ISEE,
/// and one question; the call's path.
pub(crate) async fn open_call(state: &AppState, resp: &mut Client, budget: &str) -> String {
    let benefit = benefit_id(state, "contributo-straordinario").await;
    let now = today(state.clock.now());
    let opens = domain::dates::format_date(now);
    let closes = domain::dates::format_date(now + time::Duration::days(1));
    let r = resp
        .post(
            "/bandi",
            &[
                ("title", "Contributo straordinario 2026"),
                ("benefit", benefit.as_str()),
                ("opens_on", opens.as_str()),
                ("closes_on", closes.as_str()),
                ("budget", budget),
                ("partial_last", "on"),
                (
                    "publication_text",
                    "Bando per contributi straordinari alle famiglie.",
                ),
                ("questions", "Numero del contratto di locazione"),
                ("isee_up_to", "3.000"),
                ("isee_points", "30"),
                ("isee_up_to", "6.000"),
                ("isee_points", "20"),
                ("isee_up_to", "9.360"),
                ("isee_points", "10"),
                ("isee_up_to", ""),
                ("isee_points", ""),
                ("isee_article", "art. 5, c. 1"),
                ("rent_from", "30"),
                ("rent_points", "10"),
                ("rent_from", "60"),
                ("rent_points", "20"),
                ("rent_from", ""),
                ("rent_points", ""),
                ("rent_article", "art. 5, c. 3"),
            ],
        )
        .await;
    assert_redirect(&r);
    let call = r.location().to_owned();
    assert!(call.starts_with("/bandi/"), "{call}");
    call
}

/// Files at the counter the application of the person `cf` to `call`, declaring `rent`.
pub(crate) async fn apply(op: &mut Client, call: &str, cf: &str, rent: &str) -> Response {
    op.post(
        &format!("{call}/domande"),
        &[
            ("codice_fiscale", cf),
            ("rent", rent),
            ("answers", "REG-123"),
        ],
    )
    .await
}

/// The ranking's rows as (protocol, score, outcome) from the page.
fn ranking_rows(r: &Response) -> Vec<(String, String, String)> {
    let html = r.html();
    let row = scraper::Selector::parse("#graduatoria tbody tr").unwrap();
    let cell = scraper::Selector::parse("th, td").unwrap();
    let summary = scraper::Selector::parse("summary").unwrap();
    html.select(&row)
        .map(|tr| {
            let cells: Vec<_> = tr.select(&cell).collect();
            let text = |i: usize| cells[i].text().collect::<String>().trim().to_owned();
            let score = cells[3]
                .select(&summary)
                .next()
                .map(|s| s.text().next().unwrap_or("").trim().to_owned())
                .unwrap_or_default();
            (text(1), score, text(7))
        })
        .collect()
}

on_both!(
    a_call_ranks_its_applications_publishes_them_without_names_and_funds_down_the_list,
    applications_outside_the_window_or_twice_are_refused_naming_the_call,
);

async fn a_call_ranks_its_applications_publishes_them_without_names_and_funds_down_the_list(
    state: AppState,
) {
    let (mut resp, mut op) = office(&state).await;
    let call = open_call(&state, &mut resp, "1.000,00").await;
    // (ISEE, rent) of each applicant, filed in this order. Scores: ISEE band + rent band.
    let people = [
        (2_000, "1.000"), // 30 + 10 (50%) = 40, 600 €
        (2_500, "2.000"), // 30 + 20 (80%) = 50, 600 €
        (5_000, "5.000"), // 20 + 20 = 40, 400 €
        (2_000, "1.000"), // 40 like the first, same ISEE: after it by protocol
        (9_000, "0"),     // 10, 250 €
        (12_000, "0"),    // over the benefit's ISEE: not admitted
    ];
    let mut protocols = Vec::new();
    for (n, (isee, rent)) in people.iter().enumerate() {
        let cf = register_applicant(&state, &mut op, n, *isee).await;
        let r = apply(&mut op, &call, &cf, rent).await;
        assert_redirect(&r);
        protocols.push(format!("{}/{:06}", year(&state), n + 1));
    }

    // The counter sees the applications but not the ranking.
    let list = op.get(&format!("{call}/domande")).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text("#domande-bando").contains("Bianchi Anna"));
    assert_eq!(
        op.get(&format!("{call}/graduatoria")).await.status,
        StatusCode::FORBIDDEN
    );

    let appeals = domain::dates::format_date(today(state.clock.now()) + time::Duration::days(3));
    let r = resp
        .post(
            &format!("{call}/graduatoria"),
            &[("appeals_until", appeals.as_str())],
        )
        .await;
    assert_redirect(&r);
    let page = resp.get(&format!("{call}/graduatoria")).await;
    assert_eq!(page.status, StatusCode::OK);
    let rows = ranking_rows(&page);
    let p = |i: usize| protocols[i].clone();
    assert_eq!(
        rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        [p(1), p(0), p(3), p(2), p(4), p(5)],
        "score, then ISEE, then protocol; the one not admitted last"
    );
    assert_eq!(
        rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        ["50", "40", "40", "40", "10", "0"]
    );
    assert_eq!(rows[0].2, "ammessa e finanziata");
    assert_eq!(rows[1].2, "ammessa e finanziata in parte");
    assert_eq!(rows[2].2, "ammessa non finanziata");
    assert!(rows[5].2.starts_with("non ammessa"), "{}", rows[5].2);
    // Each score's breakdown, criterion by criterion with its article.
    let breakdown = page.text("#graduatoria tbody tr:first-child details");
    assert!(
        breakdown.contains("Fascia ISEE (art. 5, c. 1): ISEE 2.500,00\u{a0}€, 30 punti"),
        "{breakdown}"
    );
    assert!(
        breakdown.contains("canone 2.000,00\u{a0}€ pari al 80% dell'ISEE, 20 punti"),
        "{breakdown}"
    );

    // Computed again: the same publication, byte for byte.
    let csv = resp.get(&format!("{call}/graduatoria.csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    let r = resp
        .post(
            &format!("{call}/graduatoria"),
            &[("appeals_until", appeals.as_str())],
        )
        .await;
    assert_redirect(&r);
    let again = resp.get(&format!("{call}/graduatoria.csv")).await;
    assert_eq!(csv.body, again.body);
    // Protocols, positions, scores and outcomes; never a name, a codice fiscale or an ISEE;
    // the one application not admitted is only counted.
    assert!(
        csv.body
            .contains(&format!("1;{};50;ammessa e finanziata", p(1))),
        "{}",
        csv.body
    );
    for never in [
        "Bianchi",
        &crate::calls::applicant_cf(0),
        "2.000,00",
        "2000",
        &p(5),
    ] {
        assert!(!csv.body.contains(never), "{never} in {}", csv.body);
    }
    assert!(csv.body.contains("1 domanda «non ammessa»"), "{}", csv.body);
    let pdf = resp.get(&format!("{call}/graduatoria.pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with("%PDF-"));

    // Final only after the appeals' term.
    let early = resp.post(&format!("{call}/definitiva"), &[]).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        early.text(".sp-error-summary").contains("ricorsi"),
        "{}",
        early.body
    );
    let funding_early = resp.post(&format!("{call}/finanzia"), &[]).await;
    assert_eq!(funding_early.status, StatusCode::UNPROCESSABLE_ENTITY);
    state
        .clock
        .advance(std::time::Duration::from_secs(4 * 86_400));
    // Days later the sessions have expired: the responsabile of then.
    let mut resp = staff(
        &state,
        "comune-bergamo",
        "016024",
        "resp.dopo",
        Role::Responsabile,
    )
    .await;
    assert_redirect(&resp.post(&format!("{call}/definitiva"), &[]).await);
    assert_redirect(&resp.post(&format!("{call}/finanzia"), &[]).await);

    let org = org_id(&state).await;
    let call_id = Uuid::parse_str(call.trim_start_matches("/bandi/")).unwrap();
    let entries = state.store.call_entries(org, call_id).await.unwrap();
    let state_of = |i: usize| {
        entries
            .iter()
            .find(|e| e.protocol.as_deref() == Some(protocols[i].as_str()))
            .unwrap()
            .state
    };
    assert_eq!(state_of(1), ApplicationState::Accepted);
    assert_eq!(state_of(0), ApplicationState::Accepted, "funded in part");
    assert_eq!(state_of(3), ApplicationState::Submitted);
    let decided = state
        .store
        .get_application(org, entries[0].entry.application_id)
        .await
        .unwrap();
    assert!(
        decided
            .app
            .decision_note
            .contains("finanziata in parte nella graduatoria definitiva del bando «Contributo straordinario 2026», posizione 2 con 40 punti: 400,00\u{a0}€ dei 600,00\u{a0}€ richiesti"),
        "{}",
        decided.app.decision_note
    );
    assert_eq!(
        decided.app.committed,
        domain::money::Money::from_euro(400),
        "it commits what the ranking funds"
    );

    // 1.000 € more: the second is topped up, the third funded, the fourth in part.
    let version = "1";
    assert_redirect(
        &resp
            .post(
                &format!("{call}/fondi"),
                &[("amount", "1.000,00"), ("version", version)],
            )
            .await,
    );
    assert_redirect(&resp.post(&format!("{call}/finanzia"), &[]).await);
    let rows = ranking_rows(&resp.get(&format!("{call}/graduatoria")).await);
    assert_eq!(
        rows.iter()
            .map(|r| r.2.as_str())
            .take(5)
            .collect::<Vec<_>>(),
        [
            "ammessa e finanziata",
            "ammessa e finanziata",
            "ammessa e finanziata",
            "ammessa e finanziata in parte",
            "ammessa non finanziata"
        ]
    );
    let entries = state.store.call_entries(org, call_id).await.unwrap();
    let accepted = entries
        .iter()
        .filter(|e| e.state == ApplicationState::Accepted)
        .count();
    assert_eq!(accepted, 4);
    let topped = state
        .store
        .get_application(org, decided.app.id)
        .await
        .unwrap();
    assert_eq!(
        topped.app.committed,
        domain::money::Money::from_euro(600),
        "topped up to what it asked"
    );
    assert_eq!(
        audited(&state, org, "call.top_up").await.len(),
        1,
        "the top-up is audited"
    );

    // Reads reach the audit log in batches: what was read so far is written now.
    state.reads.flush().await;
    assert!(
        !audited(&state, org, "call.ranking.view").await.is_empty(),
        "the ranking's reads are logged"
    );
}

/// The organization's audit rows of `action` (at most 50).
async fn audited(state: &AppState, org: Uuid, action: &str) -> Vec<domain::audit::AuditRow> {
    state
        .store
        .list_audit(&AuditFilter {
            org_id: Some(org),
            action: Some(action.into()),
            limit: 50,
            ..AuditFilter::default()
        })
        .await
        .unwrap()
}

async fn applications_outside_the_window_or_twice_are_refused_naming_the_call(state: AppState) {
    let (mut resp, mut op) = office(&state).await;
    let call = open_call(&state, &mut resp, "5.000,00").await;
    let cf = register_applicant(&state, &mut op, 0, 2_000).await;
    // A missing answer is named; nothing filed.
    let r = op
        .post(
            &format!("{call}/domande"),
            &[("codice_fiscale", cf.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!r.text("#rent-err").is_empty(), "{}", r.body);
    assert_redirect(&apply(&mut op, &call, &cf, "1.000").await);
    let twice = apply(&mut op, &call, &cf, "1.000").await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = twice.text(".sp-error-summary");
    assert!(
        summary.contains(&format!(
            "domanda doppia: Bianchi Anna ha già presentato domanda al bando «Contributo straordinario 2026» (protocollo {}/000001)",
            year(&state)
        )),
        "{summary}"
    );
    let unknown = apply(&mut op, &call, "RSSMRA80A01A794J", "1.000").await;
    assert!(
        unknown
            .text("#codice_fiscale-err")
            .contains("nessuna persona"),
        "{}",
        unknown.body
    );

    // The day after the last one: late, with the call's last day.
    let other = register_applicant(&state, &mut op, 1, 3_000).await;
    state
        .clock
        .advance(std::time::Duration::from_secs(2 * 86_400));
    // Days later the sessions have expired: the counter's operator of then.
    let mut op = staff(
        &state,
        "comune-bergamo",
        "016024",
        "sportello.dopo",
        Role::OperatoreSportello,
    )
    .await;
    let late = apply(&mut op, &call, &other, "1.000").await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    let closes = domain::dates::format_date(today(state.clock.now()) - time::Duration::days(1));
    assert!(
        late.body.contains(&format!(
            "domanda fuori termine: il bando «Contributo straordinario 2026» riceveva domande fino al {closes}"
        )),
        "{}",
        late.body
    );
    let org = org_id(&state).await;
    let call_id = Uuid::parse_str(call.trim_start_matches("/bandi/")).unwrap();
    assert_eq!(
        state.store.call_entries(org, call_id).await.unwrap().len(),
        1
    );
    assert_eq!(
        state
            .store
            .list_applications(org, &store::ApplicationFilter::every(100))
            .await
            .unwrap()
            .len(),
        1,
        "nothing half-filed"
    );
}
