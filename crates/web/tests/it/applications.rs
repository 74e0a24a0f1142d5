//! Istanze through the pages, on SQLite and PostgreSQL: an ISEE attestation, an application
//! filed, reviewed, accepted and delivered, with the decision PDF and the e-mails; hostile
//! input and wrong transitions refused with their reasons; a CAF operator's own list.

use crate::istanze_fixtures::{
    ROSSI_CF, assert_redirect, attest, benefit_id, file_mensa, office, org_id, register_rossi,
    upload_identity, year,
};
use crate::smtp::{Behaviour, SmtpSink};
use crate::support::staff;
use axum::http::{StatusCode, header};
use domain::Role;
use store::{ApplicationFilter, AuditFilter, AuditStore, BenefitStore};
use uuid::Uuid;
use web::AppState;

on_both!(
    an_application_is_filed_reviewed_accepted_and_delivered_with_its_decision_and_emails,
    bad_input_and_wrong_transitions_are_refused_with_their_reasons,
    a_caf_operator_files_by_codice_fiscale_and_sees_only_their_own,
    an_attestation_is_imported_from_the_inps_xml_and_checked_against_the_dsu,
    the_list_finds_an_application_by_protocol_codice_fiscale_or_name,
    the_export_gives_the_isee_of_the_attached_attestation,
    a_new_application_starts_with_the_only_valid_attestation,
    a_document_over_the_limit_returns_to_the_form_with_the_limit,
);

async fn a_document_over_the_limit_returns_to_the_form_with_the_limit(state: AppState) {
    let (_resp, mut op) = office(&state).await;
    let person = register_rossi(&mut op).await;
    let attestation = attest(&state, &mut op, &person).await;
    let app = file_mensa(&state, &mut op, &person, &attestation).await;
    let declared = (11 * 1024 * 1024).to_string();
    let req = axum::http::Request::post(format!("{app}/documenti"))
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
        .header(header::CONTENT_LENGTH, declared)
        .header(header::REFERER, format!("http://127.0.0.1:8080{app}"))
        .header("sec-fetch-site", "same-origin")
        .body(axum::body::Body::from("--x--"))
        .unwrap();
    let r = op.send(req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), app, "back to the application's page");
    let page = op.get(&app).await;
    assert!(
        page.body
            .contains("Il file non è stato caricato: supera la dimensione massima di 10 MiB."),
        "{}",
        page.body
    );
}

async fn the_list_finds_an_application_by_protocol_codice_fiscale_or_name(state: AppState) {
    let (_resp, mut op) = office(&state).await;
    let person = register_rossi(&mut op).await;
    let attestation = attest(&state, &mut op, &person).await;
    let app = file_mensa(&state, &mut op, &person, &attestation).await;
    let year = year(&state);

    // "A che punto è la domanda 2026/000001?": the protocol, typed whole or short, opens it.
    for typed in [format!("{year}/000001"), format!("{year}/1")] {
        let r = op
            .get(&format!("/istanze?q={}", typed.replace('/', "%2F")))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{typed}: {}", r.body);
        assert_eq!(r.location(), app, "{typed}");
    }
    // A codice fiscale or the name, in either order, lists the application.
    for typed in [ROSSI_CF, "rossi", "mario+ros"] {
        let r = op.get(&format!("/istanze?q={typed}")).await;
        assert_eq!(r.status, StatusCode::OK, "{typed}");
        assert!(
            r.body.contains(&format!("href=\"{app}\"")),
            "{typed}: {}",
            r.body
        );
        assert_eq!(r.attr("#q", "value"), typed.replace('+', " "));
    }
    let r = op.get("/istanze?q=bianchi").await;
    assert!(!r.body.contains(&format!("href=\"{app}\"")));
    assert!(
        r.body
            .contains("La ricerca di «bianchi» non ha prodotto risultati"),
        "{}",
        r.body
    );
    // The worklists keep the search: no document is awaited, so that list is empty.
    let r = op.get("/istanze?q=rossi&lista=integrazioni").await;
    assert!(!r.body.contains(&format!("href=\"{app}\"")), "{}", r.body);
    assert_eq!(
        r.attr(".sp-subnav a[href*=da-istruire]", "href"),
        "/istanze?lista=da-istruire&q=rossi&stato=&prestazione=",
        "the tabs keep the search"
    );
    let r = op.get("/istanze?q=rossi&lista=da-istruire").await;
    assert!(r.body.contains(&format!("href=\"{app}\"")), "{}", r.body);
    // A protocol the filters exclude is not opened behind them.
    let r = op
        .get(&format!("/istanze?q={year}%2F1&lista=integrazioni"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn the_export_gives_the_isee_of_the_attached_attestation(state: AppState) {
    let (_resp, mut op) = office(&state).await;
    let person = register_rossi(&mut op).await;
    let attestation = attest(&state, &mut op, &person).await;
    file_mensa(&state, &mut op, &person, &attestation).await;
    let csv = op.get("/istanze/export.csv?q=rossi").await;
    assert_eq!(csv.status, StatusCode::OK);
    let mut lines = csv.body.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().unwrap().split(';').collect();
    let row: Vec<&str> = lines.next().unwrap().split(';').collect();
    let isee = header.iter().position(|h| *h == "ISEE").unwrap();
    assert_eq!(row[isee], "8500,00", "{}", csv.body);
    let situation = header.iter().position(|h| *h == "Situazione ISEE").unwrap();
    assert_eq!(row[situation], "", "a valid attestation is nothing to flag");
}

async fn a_new_application_starts_with_the_only_valid_attestation(state: AppState) {
    let (_resp, mut op) = office(&state).await;
    let person = register_rossi(&mut op).await;
    let pid = person.trim_start_matches("/persone/").to_owned();
    let form = op.get(&format!("/istanze/nuova?persona={pid}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(
        form.attr("#attestation option[selected]", "value"),
        "",
        "no attestation yet, nothing chosen"
    );
    let attestation = attest(&state, &mut op, &person).await;
    let form = op.get(&format!("/istanze/nuova?persona={pid}")).await;
    assert_eq!(
        form.attr("#attestation option[selected]", "value"),
        attestation
    );
}

fn with_mail(state: AppState, sink: &SmtpSink) -> AppState {
    let mut state = state;
    state.mailer = sink.mailer();
    state
}

async fn an_application_is_filed_reviewed_accepted_and_delivered_with_its_decision_and_emails(
    state: AppState,
) {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let state = with_mail(state, &sink);
    let (mut resp, mut op) = office(&state).await;
    let person = register_rossi(&mut op).await;
    let attestation = attest(&state, &mut op, &person).await;
    let page = op.get(&format!("{person}/isee")).await;
    assert!(page.body.contains("8.500,00"), "{}", page.body);

    let pid = person.trim_start_matches("/persone/").to_owned();
    let form = op.get(&format!("/istanze/nuova?persona={pid}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Mense scolastiche"));
    let app = file_mensa(&state, &mut op, &person, &attestation).await;
    let protocol = format!("{}/000001", year(&state));

    // The rules put the family (ISEE 8.500,00 €) in the second band: 3,50 € a meal.
    let page = op.get(&app).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&protocol), "{}", page.body);
    assert!(page.body.contains("requisiti soddisfatti"), "{}", page.body);
    assert!(
        page.body.contains(
            "70,00\u{a0}€ al mese (compartecipazione a carico del richiedente) per 9 mesi"
        ),
        "{}",
        page.body
    );
    assert!(page.body.contains("art. 14"), "{}", page.body);
    // The operator may start the review but not decide.
    assert!(page.body.contains("istruttoria</button>"), "{}", page.body);
    assert!(!page.body.contains(">Accogli<"));
    let forbidden = op
        .post(
            &format!("{app}/stato"),
            &[("to", "in_istruttoria"), ("version", "1")],
        )
        .await;
    assert_redirect(&forbidden);
    let r = op
        .post(
            &format!("{app}/stato"),
            &[("to", "accolta"), ("version", "2")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The checklist: the identity document is missing until it is uploaded.
    let page = op.get(&app).await;
    assert!(page.body.contains("manca"), "{}", page.body);
    upload_identity(&mut op, &app).await;
    let page = op.get(&app).await;
    assert!(page.body.contains("documento.pdf"), "{}", page.body);

    // The responsabile accepts: the decision PDF is ready.
    let r = resp
        .post(
            &format!("{app}/stato"),
            &[("to", "accolta"), ("version", "2"), ("note", "")],
        )
        .await;
    assert_redirect(&r);
    let d = resp.get(&format!("{app}/provvedimento.pdf")).await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(
        d.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/pdf"
    );
    assert!(d.body.starts_with("%PDF-"));

    // Delivery: nine months, the co-payment of each month planned, one month recorded.
    let r = resp
        .post(
            &format!("{app}/stato"),
            &[("to", "in_erogazione"), ("version", "3")],
        )
        .await;
    assert_redirect(&r);
    let org = org_id(&state).await;
    let app_id = Uuid::parse_str(app.trim_start_matches("/istanze/")).unwrap();
    let months = state
        .store
        .application_deliveries(org, app_id)
        .await
        .unwrap();
    assert_eq!(months.len(), 9);
    assert!(months.iter().all(|m| m.co_payment.cents() == 7_000));
    let r = op
        .post(
            &format!("{app}/erogazioni/{}", months[0].id),
            &[
                ("quantity", "18"),
                ("amount", "0"),
                ("co_payment", "63,00"),
                ("version", "1"),
            ],
        )
        .await;
    assert_redirect(&r);
    let page = op.get(&app).await;
    assert!(
        page.body
            .contains("compartecipazione dovuta: <strong>63,00\u{a0}€"),
        "{}",
        page.body
    );

    // Suspension from the third month holds the seven planned ones; resuming plans them again.
    let third = domain::dates::format_date(months[2].month);
    let r = op
        .post(
            &format!("{app}/sospensione"),
            &[("from", third.as_str()), ("azione", "sospendi")],
        )
        .await;
    assert_redirect(&r);
    let page = op.get(&app).await;
    assert!(
        page.body.contains("Erogazione sospesa: 7 mesi"),
        "{}",
        page.body
    );
    let held = state
        .store
        .application_deliveries(org, app_id)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.status == domain::application::DeliveryStatus::Suspended)
        .count();
    assert_eq!(held, 7);
    let r = op
        .post(
            &format!("{app}/sospensione"),
            &[("from", third.as_str()), ("azione", "riprendi")],
        )
        .await;
    assert_redirect(&r);
    let page = op.get(&app).await;
    assert!(
        page.body.contains("Erogazione ripresa: 7 mesi"),
        "{}",
        page.body
    );
    let r = op
        .post(
            &format!("{app}/sospensione"),
            &[("from", "31/02/2026"), ("azione", "sospendi")],
        )
        .await;
    assert_redirect(&r);
    let page = op.get(&app).await;
    assert!(page.body.contains("scegliere il mese"), "{}", page.body);

    // Every change was written to the applicant, in Italian.
    let got = sink.received();
    let subjects: Vec<String> = got
        .iter()
        .map(|m| m.header("Subject").unwrap_or_default())
        .collect();
    for state_label in ["presentata", "in istruttoria", "accolta", "in erogazione"] {
        assert!(
            subjects.contains(&format!("Domanda {protocol}: {state_label}")),
            "{subjects:?}"
        );
    }
    assert!(got.iter().all(|m| m.to == ["mario.rossi@example.org"]));
    assert!(got[0].body().contains("Mario Rossi"), "{}", got[0].body());

    // Each transition is audited with who and why.
    let audit = state
        .store
        .list_audit(&AuditFilter {
            org_id: Some(org),
            actor: None,
            action_prefix: Some("application.state".into()),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 3, "{audit:?}");
    assert!(audit.iter().any(|a| a.actor == "responsabile"));
}

async fn bad_input_and_wrong_transitions_are_refused_with_their_reasons(state: AppState) {
    let (mut resp, mut op) = office(&state).await;
    let person = register_rossi(&mut op).await;
    let pid = person.trim_start_matches("/persone/").to_owned();
    let affitto = benefit_id(&state, "affitto").await;

    let r = op
        .post(
            "/istanze/nuova",
            &[
                ("persona", pid.as_str()),
                ("benefit", ""),
                ("channel", "sportello"),
                ("units", "abc"),
                ("months", "99"),
                ("cost", "-5"),
                ("email", "non-una-email"),
                ("azione", "presenta"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = r.text(".sp-error-summary");
    for words in ["prestazione", "quantità", "durata", "costo", "e-mail"] {
        assert!(summary.contains(words), "{words}: {summary}");
    }
    let org = org_id(&state).await;
    let all = ApplicationFilter::every(10);
    assert!(
        state
            .store
            .list_applications(org, &all)
            .await
            .unwrap()
            .is_empty()
    );

    // A draft has no protocol and cannot be accepted straight away.
    let r = op
        .post(
            "/istanze/nuova",
            &[
                ("persona", pid.as_str()),
                ("benefit", affitto.as_str()),
                ("channel", "sportello"),
                ("cost", "4.800,00"),
                ("resident_since", "01/01/2015"),
                ("azione", "bozza"),
            ],
        )
        .await;
    assert_redirect(&r);
    let app = r.location().to_owned();
    let page = op.get(&app).await;
    assert!(
        page.body.contains("bozza senza protocollo"),
        "{}",
        page.body
    );
    assert!(page.body.contains("ISEE mancante"), "{}", page.body);
    let r = resp
        .post(
            &format!("{app}/stato"),
            &[("to", "accolta"), ("version", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text(".sp-error-summary")
            .contains("una domanda bozza non può diventare accolta"),
        "{}",
        r.text(".sp-error-summary")
    );

    // Submitted and reviewed, then: acceptance without an ISEE is refused; a stale form too.
    for (to, version) in [("presentata", "1"), ("in_istruttoria", "2")] {
        let r = op
            .post(&format!("{app}/stato"), &[("to", to), ("version", version)])
            .await;
        assert_redirect(&r);
    }
    let r = resp
        .post(
            &format!("{app}/stato"),
            &[("to", "accolta"), ("version", "3")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text(".sp-error-summary").contains("attestazione ISEE"),
        "{}",
        r.text(".sp-error-summary")
    );
    let r = resp
        .post(
            &format!("{app}/stato"),
            &[("to", "preavviso_rigetto"), ("version", "2"), ("note", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // The notice needs its reasons; rejection waits ten days unless observations came.
    let r = resp
        .post(
            &format!("{app}/stato"),
            &[("to", "preavviso_rigetto"), ("version", "3"), ("note", " ")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text(".sp-error-summary").contains("motivazione"));
    let r = resp
        .post(
            &format!("{app}/stato"),
            &[
                ("to", "preavviso_rigetto"),
                ("version", "3"),
                ("note", "Manca l'attestazione ISEE richiesta dall'art. 9."),
            ],
        )
        .await;
    assert_redirect(&r);
    let notice = resp.get(&format!("{app}/preavviso.pdf")).await;
    assert_eq!(notice.status, StatusCode::OK);
    assert!(notice.body.starts_with("%PDF-"));
    let r = resp
        .post(
            &format!("{app}/stato"),
            &[
                ("to", "respinta"),
                ("version", "4"),
                ("note", "Nessun ISEE."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text(".sp-error-summary").contains("10 giorni"));
    let r = resp
        .post(
            &format!("{app}/stato"),
            &[
                ("to", "respinta"),
                ("version", "4"),
                ("note", "Nessun ISEE presentato."),
                ("observations", "on"),
            ],
        )
        .await;
    assert_redirect(&r);
    let page = op.get(&app).await;
    assert!(page.body.contains("Nessun ISEE presentato."));
    assert!(page.body.contains("Provvedimento (PDF)"));

    // An upload that is not what it says is refused, and nothing is stored.
    let r = op
        .upload(
            &format!("{app}/documenti"),
            &[("requirement", "")],
            Some(("contratto.pdf", b"MZ\x90\x00 not a pdf")),
        )
        .await;
    assert_redirect(&r);
    let app_id = Uuid::parse_str(app.trim_start_matches("/istanze/")).unwrap();
    assert!(
        state
            .store
            .application_documents(org, app_id)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_caf_operator_files_by_codice_fiscale_and_sees_only_their_own(state: AppState) {
    let (_resp, mut op) = office(&state).await;
    register_rossi(&mut op).await;
    let mut caf = staff(
        &state,
        "comune-bergamo",
        "016024",
        "caf.uno",
        Role::OperatoreCaf,
    )
    .await;
    let mut other = staff(
        &state,
        "comune-bergamo",
        "016024",
        "caf.due",
        Role::OperatoreCaf,
    )
    .await;
    let sad = benefit_id(&state, "sad").await;

    let r = caf
        .get("/istanze/nuova?codice_fiscale=ZZZZZZ80A01A794J")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text(".sp-error-summary").contains("nessuna persona"));
    let r = caf
        .get(&format!(
            "/istanze/nuova?codice_fiscale={}",
            ROSSI_CF.to_lowercase()
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // Without a mandate the CAF learns only that the code is in the registry.
    assert!(r.text("main").contains("presente nell'anagrafe sociale"));
    assert!(!r.body.contains("Mario"), "{}", r.body);
    let r = caf
        .post(
            "/istanze/nuova",
            &[
                ("codice_fiscale", ROSSI_CF),
                ("benefit", sad.as_str()),
                ("channel", "sportello"),
                ("units", "10"),
                ("azione", "presenta"),
            ],
        )
        .await;
    assert_redirect(&r);
    let app = r.location().to_owned();
    let page = caf.get(&app).await;
    assert!(page.body.contains("CAF convenzionato"), "{}", page.body);

    // The CAF operator's desk counts only what they filed.
    let desk = caf.get("/").await;
    assert_eq!(desk.status, StatusCode::OK);
    assert!(desk.body.contains("Da istruire</a>: 1"), "{}", desk.body);
    let desk = other.get("/").await;
    assert!(desk.body.contains("Da istruire</a>: 0"), "{}", desk.body);
    let list = other.get("/istanze").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains("Rossi"), "{}", list.body);
    assert_eq!(other.get(&app).await.status, StatusCode::FORBIDDEN);
    let csv = caf.get("/istanze/export.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with("\u{feff}Protocollo;"), "{}", csv.body);
    assert!(csv.body.contains("Rossi"), "{}", csv.body);
    let csv = other.get("/istanze/export.csv").await;
    assert!(!csv.body.contains("Rossi"), "{}", csv.body);
    let xlsx = caf.get("/istanze/export.xlsx?lista=da-istruire").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.starts_with("PK"));
}

async fn an_attestation_is_imported_from_the_inps_xml_and_checked_against_the_dsu(state: AppState) {
    let (_resp, mut op) = office(&state).await;
    let person = register_rossi(&mut op).await;
    let xml = include_bytes!("../../../../docs/examples/attestazione-inps.xml");
    let r = op
        .upload(&format!("{person}/isee/xml"), &[], Some(("att.xml", xml)))
        .await;
    assert_redirect(&r);
    let page = op.get(&format!("{person}/isee")).await;
    assert!(
        page.body.contains("INPS-ISEE-2026-00012345A-00"),
        "{}",
        page.body
    );
    assert!(page.body.contains("da XML INPS"));
    // The same file twice is refused: the protocol is already there.
    let r = op
        .upload(&format!("{person}/isee/xml"), &[], Some(("att.xml", xml)))
        .await;
    assert_redirect(&r);
    let page = op.get(&format!("{person}/isee")).await;
    assert!(page.body.contains("già registrata"), "{}", page.body);
    // Not XML at all.
    let r = op
        .upload(
            &format!("{person}/isee/xml"),
            &[],
            Some(("att.xml", b"<EsitoAttestazione><oops")),
        )
        .await;
    assert_redirect(&r);
    let page = op.get(&format!("{person}/isee")).await;
    assert!(page.body.contains("Dati non salvati"), "{}", page.body);

    // Our own calculation from a DSU is shown beside INPS's figure, never over it.
    let org = org_id(&state).await;
    let pid = Uuid::parse_str(person.trim_start_matches("/persone/")).unwrap();
    let att = state.store.person_attestations(org, pid).await.unwrap()[0].id;
    let dsu = include_bytes!("../../../../docs/isee/pensionato-solo.json");
    let r = op
        .upload(
            &format!("/isee/{att}/calcolo"),
            &[],
            Some(("dsu.json", dsu)),
        )
        .await;
    assert_redirect(&r);
    let page = op.get(&format!("{person}/isee")).await;
    assert!(page.body.contains("Calcolo Sportello"), "{}", page.body);
    assert!(page.body.contains("differenza"), "{}", page.body);
    assert!(page.body.contains("<strong>8.500,00"), "{}", page.body);
    let r = op
        .upload(
            &format!("/isee/{att}/calcolo"),
            &[],
            Some(("dsu.json", b"{}")),
        )
        .await;
    assert_redirect(&r);
    let page = op.get(&format!("{person}/isee")).await;
    assert!(page.body.contains("DSU non valida"), "{}", page.body);
}
