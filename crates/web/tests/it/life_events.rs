//! A death or an emigration recorded by the civil-registry import, through the pages: the
//! deceased person's card says so first, nothing new is filed, booked or taken in charge for
//! her, and her open matters are listed with the proposed actions and applied on one
//! confirmation (audited, idempotent); an emigration lists the requirements that no longer
//! hold. On SQLite and PostgreSQL.

use crate::istanze_fixtures::{ROSSI_CF, assert_redirect, attest, file_mensa, office, org_id};
use crate::smtp::{Behaviour, SmtpSink};
use crate::support::Client;
use axum::http::StatusCode;
use domain::application::{ApplicationState, DeliveryStatus};
use domain::casework::{AppointmentStatus, CaseState, CloseReason};
use domain::dates::format_date;
use domain::localtime::today;
use store::{AuditFilter, AuditStore, BenefitStore, CaseStore, PersonStore, UserStore};
use time::{Date, Duration};
use uuid::Uuid;
use web::AppState;

on_both!(
    a_death_closes_the_open_matters_on_one_confirmation_and_refuses_anything_new,
    an_emigration_lists_the_requirements_that_no_longer_hold,
);

/// Rossi's row in the comune's list, dead on `died` (empty: alive).
pub(crate) fn rossi_row(died: &str) -> String {
    format!("1001;{ROSSI_CF};Rossi;Mario;M;1980-01-01;A794;IT;2;{died};Via Roma 1;2010-05-01;F1;1")
}

/// A row that keeps the list from being empty when Rossi leaves it.
pub(crate) const BIANCHI: &str =
    "1002;;Bianchi;Anna;F;1982-03-02;A794;IT;2;;Via Roma 3;2010-05-01;F2;1";

fn day(state: &AppState, offset: i64) -> Date {
    today(state.clock.now()) + Duration::days(offset)
}

/// Imports the list of `rows` as the comune's residents on `reference`.
pub(crate) async fn import(c: &mut Client, rows: &[&str], reference: Date) {
    let mut csv = String::from(
        "id_anpr;codice_fiscale;cognome;nome;sesso;data_nascita;luogo_nascita;cittadinanza;stato_civile;data_decesso;indirizzo;data_decorrenza_residenza;id_famiglia;rapporto_parentela",
    );
    for r in rows {
        csv.push('\n');
        csv.push_str(r);
    }
    let r = c
        .upload(
            "/anagrafe/import",
            &[
                ("comune", "A794"),
                ("data_riferimento", &format_date(reference)),
            ],
            Some(("anagrafe.csv", csv.as_bytes())),
        )
        .await;
    assert_redirect(&r);
    let report = c.get(r.location()).await;
    assert!(report.body.contains("completato"), "{}", report.body);
}

/// Rossi, created by the first import of the comune's list (with `others`): his page's path.
pub(crate) async fn rossi_from_registry(
    state: &AppState,
    c: &mut Client,
    others: &[&str],
) -> String {
    let row = rossi_row("");
    let mut rows = vec![row.as_str()];
    rows.extend_from_slice(others);
    import(c, &rows, day(state, -3)).await;
    let org = org_id(state).await;
    let p = state.store.find_person_by_cf(org, ROSSI_CF).await.unwrap();
    format!("/persone/{}", p.id)
}

fn app_id(path: &str) -> Uuid {
    Uuid::parse_str(path.trim_start_matches("/istanze/")).unwrap()
}

async fn life_event_audits(state: &AppState, org: Uuid) -> usize {
    state
        .store
        .list_audit(&AuditFilter {
            org_id: Some(org),
            action_prefix: Some("person.life_event".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap()
        .len()
}

async fn a_death_closes_the_open_matters_on_one_confirmation_and_refuses_anything_new(
    state: AppState,
) {
    // With a mail server, to show that nobody writes to the deceased about his appointment.
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let mut state = state;
    state.mailer = sink.mailer();
    let (mut resp, mut op) = office(&state).await;
    let person = rossi_from_registry(&state, &mut resp, &[]).await;
    let pid = person.trim_start_matches("/persone/").to_owned();
    let attestation = attest(&state, &mut op, &person).await;
    let org = org_id(&state).await;

    // An application being delivered, with next month already paid, and one in procedure.
    let delivered = file_mensa(&state, &mut op, &person, &attestation).await;
    assert_redirect(
        &op.post(
            &format!("{delivered}/stato"),
            &[("to", "in_istruttoria"), ("version", "1")],
        )
        .await,
    );
    for (to, version) in [("accolta", "2"), ("in_erogazione", "3")] {
        assert_redirect(
            &resp
                .post(
                    &format!("{delivered}/stato"),
                    &[("to", to), ("version", version), ("note", "")],
                )
                .await,
        );
    }
    let months = state
        .store
        .application_deliveries(org, app_id(&delivered))
        .await
        .unwrap();
    assert_redirect(
        &op.post(
            &format!("{delivered}/erogazioni/{}", months[1].id),
            &[
                ("quantity", "18"),
                ("amount", "25,00"),
                ("co_payment", "0"),
                ("version", "1"),
            ],
        )
        .await,
    );
    let pending = file_mensa(&state, &mut op, &person, &attestation).await;

    // A case file and an appointment next week, both the responsabile's.
    let me = state
        .store
        .get_user_by_login(&domain::Login::parse("responsabile").unwrap())
        .await
        .unwrap()
        .id
        .to_string();
    let opened = format_date(day(&state, -2));
    let r = resp
        .post(
            &format!("/persone/{pid}/cartella"),
            &[("worker", me.as_str()), ("opened_on", opened.as_str())],
        )
        .await;
    assert_redirect(&r);
    let next_week = format_date(day(&state, 7));
    let booking = [
        ("worker", me.as_str()),
        ("date", next_week.as_str()),
        ("time", "10:00"),
        ("minutes", "30"),
        ("place", "Sede"),
        ("purpose", "colloquio"),
        ("email", "mario.rossi@example.it"),
    ];
    assert_redirect(
        &resp
            .post(&format!("/agenda/nuovo?persona={pid}"), &booking)
            .await,
    );

    // The registry records his death yesterday.
    let died = day(&state, -1);
    import(&mut resp, &[&rossi_row(&died.to_string())], day(&state, 0)).await;

    // His card says so first, without an age and without new applications or appointments.
    let card = resp.get(&person).await;
    assert_eq!(card.status, StatusCode::OK);
    let notice = card.text("#decesso");
    assert!(
        notice.contains(&format!("Deceduto il {}", format_date(died))),
        "{notice}"
    );
    assert!(
        !card.text(".sp-lead").contains("anni"),
        "{}",
        card.text(".sp-lead")
    );
    assert!(
        !card.body.contains("Fissa un appuntamento"),
        "{}",
        card.body
    );
    assert!(!card.body.contains("Nuova istanza"), "{}", card.body);

    // Nothing new: an appointment or an application is refused by the service, saying why.
    let r = resp
        .post(&format!("/agenda/nuovo?persona={pid}"), &booking)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("risulta deceduto il"), "{}", r.body);
    let mensa = crate::istanze_fixtures::benefit_id(&state, "mensa").await;
    let r = op
        .post(
            "/istanze/nuova",
            &[
                ("persona", pid.as_str()),
                ("benefit", mensa.as_str()),
                ("attestation", attestation.as_str()),
                ("channel", "sportello"),
                ("units", "20"),
                ("months", "9"),
                ("email", ""),
                ("azione", "presenta"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("non si può presentare una nuova domanda"),
        "{}",
        r.body
    );

    // The proposed actions, one per open matter, with who follows it.
    let page = resp.get(&format!("/persone/{pid}/esiti")).await;
    assert_eq!(page.status, StatusCode::OK);
    let table = page.text("#azioni");
    for expected in [
        "Archiviare la domanda",
        "Sospendere le mensilità previste",
        "recuperare 25,00",
        "Annullare l'appuntamento",
        "Chiudere la cartella",
        "decesso",
    ] {
        assert!(table.contains(expected), "{expected}: {table}");
    }

    // One confirmation applies them all, audited once; a second finds nothing left.
    let r = resp.post(&format!("/persone/{pid}/esiti"), &[]).await;
    assert_redirect(&r);
    let page = resp.get(&format!("/persone/{pid}/esiti")).await;
    assert!(page.body.contains("Applicate 4 azioni"), "{}", page.body);
    assert!(page.body.contains("nessuna-pratica"), "{}", page.body);
    let v = state
        .store
        .get_application(org, app_id(&delivered))
        .await
        .unwrap();
    assert_eq!(v.app.state, ApplicationState::Concluded);
    let v = state
        .store
        .get_application(org, app_id(&pending))
        .await
        .unwrap();
    assert_eq!(v.app.state, ApplicationState::Archived);
    let months = state
        .store
        .application_deliveries(org, app_id(&delivered))
        .await
        .unwrap();
    assert!(
        months
            .iter()
            .all(|m| m.month <= died || m.status != DeliveryStatus::Planned),
        "{months:?}"
    );
    let person_id = Uuid::parse_str(&pid).unwrap();
    let case = state
        .store
        .person_case_file(org, person_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (case.state, case.close_reason),
        (CaseState::Closed, Some(CloseReason::Death))
    );
    let appointments = state
        .store
        .person_appointments(org, person_id)
        .await
        .unwrap();
    assert!(
        appointments
            .iter()
            .all(|a| a.appointment.status == AppointmentStatus::Cancelled)
    );
    assert!(
        sink.received()
            .iter()
            .all(|m| !m.to.iter().any(|to| to.contains("mario.rossi@example.it"))),
        "an e-mail went to the deceased"
    );
    assert_eq!(life_event_audits(&state, org).await, 1);
    let r = resp.post(&format!("/persone/{pid}/esiti"), &[]).await;
    assert_redirect(&r);
    let page = resp.get(&format!("/persone/{pid}/esiti")).await;
    assert!(
        page.body.contains("Nessuna azione applicata"),
        "{}",
        page.body
    );
    assert_eq!(life_event_audits(&state, org).await, 1);
    assert!(
        state
            .store
            .get_person(org, person_id)
            .await
            .unwrap()
            .data
            .death_date
            .is_some()
    );
}

async fn an_emigration_lists_the_requirements_that_no_longer_hold(state: AppState) {
    let (mut resp, mut op) = office(&state).await;
    let person = rossi_from_registry(&state, &mut resp, &[BIANCHI]).await;
    let pid = person.trim_start_matches("/persone/").to_owned();
    let attestation = attest(&state, &mut op, &person).await;
    file_mensa(&state, &mut op, &person, &attestation).await;

    // Rossi is no longer in the list: struck off the comune's registry.
    import(&mut resp, &[BIANCHI], day(&state, 0)).await;
    let card = resp.get(&person).await;
    assert!(card.body.contains("id=\"cancellazione\""), "{}", card.body);
    let page = resp.get(&format!("/persone/{pid}/esiti")).await;
    assert_eq!(page.status, StatusCode::OK);
    let table = page.text("#azioni");
    assert!(
        table.contains("non residente nel territorio dell'ente"),
        "{table}"
    );
    // A requirement to re-check is the worker's: nothing is applied automatically.
    assert!(!page.body.contains("id=\"applica\""), "{}", page.body);
    let org = org_id(&state).await;
    let open = state
        .store
        .list_applications(
            org,
            &store::ApplicationFilter::of_person(Uuid::parse_str(&pid).unwrap(), 10),
        )
        .await
        .unwrap();
    assert_eq!(open[0].app.state, ApplicationState::Submitted);
}
