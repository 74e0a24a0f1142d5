//! Appointments through the pages: booking into a worker's week (a grid with the free half
//! hours and the holidays), past dates and clashes refused, no outcome before the start, the
//! outcome of an interview written into the person's case file and its correction with
//! history, moving and cancelling with an e-mail to the person, and the reminders sent
//! through a real SMTP server; on SQLite and PostgreSQL.

use crate::istanze_fixtures::org_id;
use crate::smtp::{Behaviour, SmtpSink};
use crate::support::{Client, staff};
use axum::http::StatusCode;
use domain::Role;
use domain::casework::{AppointmentStatus, Confidentiality, DiaryKind};
use domain::dates::format_date;
use domain::localtime::{format_time, to_local, today};
use store::{CaseStore, OrgStore, UserStore};
use time::Duration;
use uuid::Uuid;
use web::AppState;

on_both!(
    a_booking_shows_in_the_workers_week,
    a_past_date_and_a_clash_are_refused_naming_the_field,
    a_date_past_2100_is_refused_in_the_week_and_the_booking,
    an_interview_held_goes_into_the_case_file_diary_once,
    a_reminder_is_sent_once_through_the_mail_server,
    two_servers_send_a_reminder_once,
    an_appointment_cannot_be_marked_held_before_it_begins,
    a_corrected_outcome_keeps_its_history_and_the_interview_reaches_the_case_file,
    moving_and_cancelling_tell_the_person_by_e_mail,
    the_week_shows_free_half_hours_and_public_holidays,
    the_front_desk_records_an_interview_held_without_writing_in_the_case_file,
);

const EMAIL: &str = "mario.rossi@example.org";

/// A social worker of the comune, logged in, and their user id.
async fn worker(state: &AppState) -> (Client, Uuid) {
    let c = staff(
        state,
        "comune-bergamo",
        "016024",
        "assistente",
        Role::AssistenteSociale,
    )
    .await;
    let id = state
        .store
        .get_user_by_login(&domain::Login::parse("assistente").unwrap())
        .await
        .unwrap()
        .id;
    (c, id)
}

/// Registers Mario Rossi (with an e-mail) and returns his id.
async fn person(c: &mut Client) -> String {
    let r = c
        .post(
            "/persone/nuova",
            &[
                ("codice_fiscale", "RSSMRA80A01A794J"),
                ("surname", "Rossi"),
                ("given_names", "Mario"),
                ("sex", "M"),
                ("birth_date", "01/01/1980"),
                ("birthplace", "Bergamo"),
                ("citizenship", "IT"),
                ("residence_istat", "016024"),
                ("residence_street", "Via Roma 1"),
                ("email", EMAIL),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );
    r.location().trim_start_matches("/persone/").to_owned()
}

fn tomorrow(state: &AppState) -> String {
    format_date(today(state.clock.now()) + Duration::days(1))
}

/// A day and a time ten minutes or so from now, in Italy.
fn soon(state: &AppState) -> (String, String) {
    let at = to_local(state.clock.now() + Duration::minutes(11));
    (format_date(at.date()), format_time(at))
}

/// Lets the clock reach an appointment booked [`soon`], well within the session's idle limit.
fn reach_soon(state: &AppState) {
    state.clock.advance(std::time::Duration::from_secs(15 * 60));
}

/// The `version` of the first form of the appointment page.
async fn version(c: &mut Client, aid: &str) -> String {
    let page = c.get(&format!("/appuntamenti/{aid}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let sel = scraper::Selector::parse("input[name=version]").unwrap();
    page.html()
        .select(&sel)
        .next()
        .and_then(|e| e.value().attr("value").map(str::to_owned))
        .unwrap()
}

/// Opens the person's case file with the worker responsible; its path.
async fn open_case(c: &mut Client, state: &AppState, pid: &str, uid: Uuid) -> String {
    let opened = format_date(today(state.clock.now()));
    let r = c
        .post(
            &format!("/persone/{pid}/cartella"),
            &[
                ("worker", &uid.to_string()),
                ("opened_on", &opened),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );
    r.location().to_owned()
}

/// Books for the person at `when` and returns the appointment's id, found in the week by
/// its time.
async fn booked(c: &mut Client, path: &str, uid: Uuid, when: (&str, &str)) -> String {
    let r = book(c, path, uid, when.0, when.1).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );
    let week = c.get(r.location()).await;
    let sel = scraper::Selector::parse("a[href^=\"/appuntamenti/\"]").unwrap();
    let from = format!("{}–", when.1);
    week.html()
        .select(&sel)
        .find(|a| a.text().collect::<String>().starts_with(&from))
        .and_then(|a| a.value().attr("href"))
        .map(|h| h.trim_start_matches("/appuntamenti/").to_owned())
        .unwrap_or_else(|| panic!("no appointment at {} in the week", when.1))
}

async fn book(
    c: &mut Client,
    path: &str,
    worker: Uuid,
    date: &str,
    time: &str,
) -> super::support::Response {
    book_for(c, path, worker, (date, time), "").await
}

/// Books an interview of `minutes` (empty: the default) at `when`, a day and a time.
async fn book_for(
    c: &mut Client,
    path: &str,
    worker: Uuid,
    (date, time): (&str, &str),
    minutes: &str,
) -> super::support::Response {
    let w = worker.to_string();
    c.post(
        path,
        &[
            ("worker", &w),
            ("date", date),
            ("time", time),
            ("minutes", minutes),
            ("place", "Sede di via Roma 1, stanza 4"),
            ("purpose", "contributo affitto"),
            ("email", EMAIL),
        ],
    )
    .await
}

/// The ids of the appointments linked from a page.
fn appointment_links(r: &super::support::Response) -> Vec<String> {
    let sel = scraper::Selector::parse("a[href^=\"/appuntamenti/\"]").unwrap();
    r.html()
        .select(&sel)
        .filter_map(|a| a.value().attr("href"))
        .map(|h| h.trim_start_matches("/appuntamenti/").to_owned())
        .collect()
}

async fn a_booking_shows_in_the_workers_week(state: AppState) {
    let (mut c, uid) = worker(&state).await;
    let pid = person(&mut c).await;
    let form = c.get(&format!("/agenda/nuovo?persona={pid}")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains(EMAIL), "e-mail prefilled");
    let day = tomorrow(&state);
    let r = book(
        &mut c,
        &format!("/agenda/nuovo?persona={pid}"),
        uid,
        &day,
        "10:00",
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );
    let to = r.location().to_owned();
    assert!(
        to.starts_with(&format!("/agenda?operatore={uid}&settimana=")),
        "{to}"
    );
    let week = c.get(&to).await;
    assert_eq!(week.status, StatusCode::OK);
    let row = week.text(".sp-appointment");
    assert!(row.contains("10:00–10:45"), "{row}");
    assert!(row.contains("Rossi Mario"), "{row}");
    assert!(row.contains("contributo affitto"), "{row}");
    assert!(row.contains("prenotato"), "{row}");
    assert!(week.body.contains(&format!("href=\"/persone/{pid}\"")));
    // The default is the current user's week, which holds tomorrow or shows it a week on.
    let mine = c.get("/agenda").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("Settimana successiva"));
    assert_eq!(appointment_links(&week).len(), 1);
}

async fn a_past_date_and_a_clash_are_refused_naming_the_field(state: AppState) {
    let (mut c, uid) = worker(&state).await;
    let pid = person(&mut c).await;
    let path = format!("/agenda/nuovo?persona={pid}");
    let yesterday = format_date(today(state.clock.now()) - Duration::days(1));
    let r = book(&mut c, &path, uid, &yesterday, "10:00").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.text("#date-err").trim(),
        "Errore: non si può fissare un appuntamento nel passato"
    );

    let day = tomorrow(&state);
    let r = book(&mut c, &path, uid, &day, "10:00").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = book(&mut c, &path, uid, &day, "10:30").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.text("#time-err").trim(),
        "Errore: l'operatore ha già un appuntamento dalle 10:00 alle 10:45"
    );
    assert!(
        r.text(".sp-error-summary")
            .contains("dalle 10:00 alle 10:45")
    );
    // Right after it is free.
    let r = book(&mut c, &path, uid, &day, "10:45").await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );
}

/// The last day of the calendar once made the week's arithmetic and the booking's end panic.
async fn a_date_past_2100_is_refused_in_the_week_and_the_booking(state: AppState) {
    const SPAN: &str = "la data deve essere tra il 01/01/1900 e il 31/12/2100";
    let (mut c, uid) = worker(&state).await;
    let week = c.get("/agenda?settimana=31/12/9999").await;
    assert_eq!(week.status, StatusCode::BAD_REQUEST);
    assert!(week.body.contains(SPAN), "{}", week.body);
    let last = c.get("/agenda?settimana=31/12/2100").await;
    assert_eq!(last.status, StatusCode::OK);
    assert!(last.body.contains("Settimana dal 27/12/2100 al 02/01/2101"));

    let pid = person(&mut c).await;
    let path = format!("/agenda/nuovo?persona={pid}");
    let r = book_for(&mut c, &path, uid, ("31/12/9999", "23:50"), "480").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.text("#date-err").trim(),
        format!("Errore: il giorno: {SPAN}")
    );
    // The last day itself is bookable, even when the interview ends the next year.
    let r = book_for(&mut c, &path, uid, ("31/12/2100", "23:50"), "480").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let week = c.get(r.location()).await;
    assert!(week.text(".sp-appointment").contains("23:50–07:50"));
}

async fn an_interview_held_goes_into_the_case_file_diary_once(state: AppState) {
    let (mut c, uid) = worker(&state).await;
    let pid = person(&mut c).await;
    let case_path = open_case(&mut c, &state, &pid, uid).await;
    let cid = case_path.trim_start_matches("/cartelle/").to_owned();
    let (day, time) = soon(&state);
    let aid = booked(
        &mut c,
        &format!("/agenda/nuovo?persona={pid}&cartella={cid}"),
        uid,
        (&day, &time),
    )
    .await;
    reach_soon(&state);

    let page = c.get(&format!("/appuntamenti/{aid}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Colloquio: contributo affitto"),
        "title prefilled"
    );
    let sel = scraper::Selector::parse("input[name=version]").unwrap();
    let version = page
        .html()
        .select(&sel)
        .next()
        .and_then(|e| e.value().attr("value").map(str::to_owned))
        .unwrap();

    // The account of the interview is required.
    let esito = format!("/appuntamenti/{aid}/esito");
    let r = c
        .post(
            &esito,
            &[
                ("status", "svolto"),
                ("confidentiality", "riservato"),
                ("title", "Colloquio: contributo affitto"),
                ("body", ""),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text(".sp-error-summary").contains("il testo"));

    let r = c
        .post(
            &esito,
            &[
                ("status", "svolto"),
                ("confidentiality", "riservato"),
                ("title", "Colloquio: contributo affitto"),
                (
                    "body",
                    "Sfratto per morosità: riferisce violenze in famiglia.",
                ),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get(&format!("/appuntamenti/{aid}")).await;
    assert_eq!(page.text("#stato"), "svolto");

    let org = state
        .store
        .get_org_by_code(&domain::OrgCode::parse("comune-bergamo").unwrap())
        .await
        .unwrap();
    let cid = Uuid::parse_str(&cid).unwrap();
    let diary = state
        .store
        .diary_entries(org.id, cid, Some(0), 0, 50)
        .await
        .unwrap()
        .entries;
    assert_eq!(diary.len(), 1);
    let e = &diary[0];
    assert_eq!(e.data.kind, DiaryKind::Interview);
    assert_eq!(e.data.confidentiality, Confidentiality::Restricted);
    assert_eq!(e.data.title, "Colloquio: contributo affitto");
    assert!(
        state
            .store
            .diary_entries(org.id, cid, None, 0, 50)
            .await
            .unwrap()
            .entries
            .is_empty()
    );
    let a = state
        .store
        .get_appointment(org.id, Uuid::parse_str(&aid).unwrap())
        .await
        .unwrap();
    assert_eq!(a.appointment.status, AppointmentStatus::Held);
    assert_eq!(a.appointment.diary_entry_id, Some(e.id));
    let case = c.get(&case_path).await;
    assert!(
        case.body.contains("riferisce violenze"),
        "the worker reads it"
    );

    // The outcome is corrected only with a reason.
    let r = c
        .post(
            &esito,
            &[
                ("status", "assente"),
                ("version", &(a.appointment.version).to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.text("#reason-err").trim(),
        "Errore: indicare il motivo della correzione"
    );
    assert_eq!(
        state
            .store
            .diary_entries(org.id, cid, Some(0), 0, 50)
            .await
            .unwrap()
            .entries
            .len(),
        1
    );
}

async fn a_reminder_is_sent_once_through_the_mail_server(state: AppState) {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let mut state = state;
    // Without a mail server nothing is sent and nothing is marked.
    assert_eq!(app::reminders::send_due(&state).await.unwrap(), 0);
    state.mailer = sink.mailer();
    let (mut c, uid) = worker(&state).await;
    let pid = person(&mut c).await;
    let soon = to_local(state.clock.now() + Duration::hours(2));
    let r = book(
        &mut c,
        &format!("/agenda/nuovo?persona={pid}"),
        uid,
        &format_date(soon.date()),
        &format_time(soon),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );
    // One a week away is not due yet.
    let later = format_date(today(state.clock.now()) + Duration::days(7));
    let r = book(
        &mut c,
        &format!("/agenda/nuovo?persona={pid}"),
        uid,
        &later,
        "10:00",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    assert_eq!(app::reminders::send_due(&state).await.unwrap(), 1);
    let got = sink.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, [EMAIL]);
    let body = got[0].body();
    assert!(body.contains("Gentile Mario Rossi"), "{body}");
    assert!(body.contains("Operatore assistente"), "{body}");
    assert!(body.contains("Motivo: contributo affitto"), "{body}");

    let org = state
        .store
        .get_org_by_code(&domain::OrgCode::parse("comune-bergamo").unwrap())
        .await
        .unwrap();
    let booked = state
        .store
        .person_appointments(org.id, Uuid::parse_str(&pid).unwrap())
        .await
        .unwrap();
    assert_eq!(
        booked
            .iter()
            .filter(|v| v.appointment.reminder_sent_at_us.is_some())
            .count(),
        1
    );
    assert_eq!(app::reminders::send_due(&state).await.unwrap(), 0);
    assert_eq!(sink.received().len(), 1);
}

/// Two servers on one database (two `AppState`s on the store, each with its own mailer)
/// looking for reminders at the same moment: the reminder is claimed before it is sent, so
/// one of them sends it; a refused delivery takes the claim back and a later run sends it.
async fn two_servers_send_a_reminder_once(state: AppState) {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let mut a = state;
    a.mailer = sink.mailer();
    let mut b = AppState::new(a.store.clone(), (*a.config).clone());
    b.clock = a.clock.clone();
    b.mailer = sink.mailer();
    let (mut c, uid) = worker(&a).await;
    let pid = person(&mut c).await;
    for hours in [2, 3, 4] {
        book_in(&mut c, &a, &pid, uid, hours).await;
    }
    let (on_a, on_b) = tokio::join!(app::reminders::send_due(&a), app::reminders::send_due(&b));
    assert_eq!(on_a.unwrap() + on_b.unwrap(), 3);
    assert_eq!(sink.received().len(), 3, "each reminder once");
    let (on_a, on_b) = tokio::join!(app::reminders::send_due(&a), app::reminders::send_due(&b));
    assert_eq!(on_a.unwrap() + on_b.unwrap(), 0);

    // A mail server that refuses: the claim is taken back, the next run sends it.
    let refusing = SmtpSink::start(Behaviour::RefuseRecipients).await;
    book_in(&mut c, &a, &pid, uid, 5).await;
    a.mailer = refusing.mailer();
    assert_eq!(app::reminders::send_due(&a).await.unwrap(), 0);
    assert_eq!(app::reminders::send_due(&b).await.unwrap(), 1);
    assert_eq!(sink.received().len(), 4);
}

/// Books the person with the worker `hours` from now.
async fn book_in(c: &mut Client, state: &AppState, pid: &str, uid: Uuid, hours: i64) {
    let at = to_local(state.clock.now() + Duration::hours(hours));
    let path = format!("/agenda/nuovo?persona={pid}");
    let r = book(c, &path, uid, &format_date(at.date()), &format_time(at)).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );
}

async fn an_appointment_cannot_be_marked_held_before_it_begins(state: AppState) {
    let (mut c, uid) = worker(&state).await;
    let pid = person(&mut c).await;
    let day = tomorrow(&state);
    let aid = booked(
        &mut c,
        &format!("/agenda/nuovo?persona={pid}"),
        uid,
        (&day, "10:00"),
    )
    .await;
    let page = c.get(&format!("/appuntamenti/{aid}")).await;
    assert!(
        page.body.contains("L'esito si registra dall'ora fissata"),
        "no outcome form before the start"
    );
    let v = version(&mut c, &aid).await;
    let r = c
        .post(
            &format!("/appuntamenti/{aid}/esito"),
            &[("status", "svolto"), ("version", &v)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text(".sp-error-summary")
            .contains("l'appuntamento non è ancora cominciato"),
        "{}",
        r.body
    );
    let page = c.get(&format!("/appuntamenti/{aid}")).await;
    assert_eq!(page.text("#stato"), "prenotato");
}

async fn a_corrected_outcome_keeps_its_history_and_the_interview_reaches_the_case_file(
    state: AppState,
) {
    let (mut c, uid) = worker(&state).await;
    let pid = person(&mut c).await;
    // The case file is opened after a booking made without it: the interview still goes there.
    let (day, time) = soon(&state);
    let aid = booked(
        &mut c,
        &format!("/agenda/nuovo?persona={pid}"),
        uid,
        (&day, &time),
    )
    .await;
    let case_path = open_case(&mut c, &state, &pid, uid).await;
    let cid = Uuid::parse_str(case_path.trim_start_matches("/cartelle/")).unwrap();
    reach_soon(&state);
    let esito = format!("/appuntamenti/{aid}/esito");
    let v = version(&mut c, &aid).await;
    let r = c
        .post(&esito, &[("status", "assente"), ("version", &v)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let v = version(&mut c, &aid).await;
    let r = c
        .post(
            &esito,
            &[
                ("status", "svolto"),
                ("reason", "era in sala d'attesa, segnata assente per errore"),
                ("confidentiality", "normale"),
                ("title", "Colloquio: contributo affitto"),
                ("body", "Ha portato il contratto d'affitto."),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get(&format!("/appuntamenti/{aid}")).await;
    assert_eq!(page.text("#stato"), "svolto");
    let history = page.text("#storia");
    assert!(
        history.contains("esito: la persona non si è presentata"),
        "{history}"
    );
    assert!(
        history.contains("esito corretto da «la persona non si è presentata» a «svolto»"),
        "{history}"
    );
    assert!(
        history.contains("(motivo: era in sala d'attesa, segnata assente per errore)"),
        "{history}"
    );
    let org = org_id(&state).await;
    let diary = state
        .store
        .diary_entries(org, cid, Some(0), 0, 50)
        .await
        .unwrap()
        .entries;
    assert_eq!(diary.len(), 1, "the interview is in the person's case file");
    assert_eq!(diary[0].data.kind, DiaryKind::Interview);
    assert_eq!(diary[0].data.body, "Ha portato il contratto d'affitto.");

    // Back to no-show and again to held: the diary keeps its one entry.
    for (status, reason) in [("assente", "ripensamento"), ("svolto", "di nuovo")] {
        let v = version(&mut c, &aid).await;
        let r = c
            .post(
                &esito,
                &[("status", status), ("reason", reason), ("version", &v)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let diary = state
        .store
        .diary_entries(org, cid, Some(0), 0, 50)
        .await
        .unwrap()
        .entries;
    assert_eq!(diary.len(), 1);
    let changes = state
        .store
        .appointment_changes(org, Uuid::parse_str(&aid).unwrap())
        .await
        .unwrap();
    assert_eq!(changes.len(), 4);
}

/// Moves the appointment at `path` (its `/sposta`) to `when`, in room 2, as read at `version`.
async fn move_to(
    c: &mut Client,
    path: &str,
    (date, time): (&str, &str),
    version: &str,
) -> super::support::Response {
    c.post(
        path,
        &[
            ("date", date),
            ("time", time),
            ("minutes", "45"),
            ("place", "Sede di via Roma 1, stanza 2"),
            ("version", version),
        ],
    )
    .await
}

async fn moving_and_cancelling_tell_the_person_by_e_mail(state: AppState) {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let mut state = state;
    state.mailer = sink.mailer();
    let (mut c, uid) = worker(&state).await;
    let pid = person(&mut c).await;
    let path = format!("/agenda/nuovo?persona={pid}");
    let day = tomorrow(&state);
    let aid = booked(&mut c, &path, uid, (&day, "10:00")).await;
    let other = booked(&mut c, &path, uid, (&day, "12:00")).await;
    let sposta = format!("/appuntamenti/{aid}/sposta");

    // Into the past, or over another appointment: refused, the typed values kept.
    let yesterday = format_date(today(state.clock.now()) - Duration::days(1));
    let v = version(&mut c, &aid).await;
    let r = move_to(&mut c, &sposta, (&yesterday, "10:00"), &v).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.text("#date-err").trim(),
        "Errore: non si può fissare un appuntamento nel passato"
    );
    assert!(
        r.body.contains("Sede di via Roma 1, stanza 2"),
        "typed place kept"
    );
    let r = move_to(&mut c, &sposta, (&day, "11:45"), &v).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.text("#time-err").trim(),
        "Errore: l'operatore ha già un appuntamento dalle 12:00 alle 12:45"
    );
    assert!(sink.received().is_empty());

    let r = move_to(&mut c, &sposta, (&day, "15:30"), &v).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get(&format!("/appuntamenti/{aid}")).await;
    assert!(page.text("#quando").contains("15:30–16:15"));
    assert_eq!(page.text("#luogo"), "Sede di via Roma 1, stanza 2");
    assert!(
        page.text("#storia")
            .contains(&format!("spostato dal {day} 10:00 al {day} 15:30"))
    );
    assert!(
        page.body
            .contains(&format!("Avviso inviato per e-mail a {EMAIL}"))
    );
    let got = sink.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, [EMAIL]);
    let body = got[0].body();
    assert!(body.contains("è stato spostato"), "{body}");
    assert!(body.contains("alle 15:30"), "{body}");
    assert!(
        body.contains("Dove: Sede di via Roma 1, stanza 2"),
        "{body}"
    );
    // Its own old time is free to it: the same appointment does not clash with itself.
    let v = version(&mut c, &aid).await;
    let r = move_to(&mut c, &sposta, (&day, "15:45"), &v).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let v = version(&mut c, &other).await;
    let r = c
        .post(
            &format!("/appuntamenti/{other}/annulla"),
            &[("reason", "l'assistente è in ferie"), ("version", &v)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get(&format!("/appuntamenti/{other}")).await;
    assert_eq!(page.text("#stato"), "annullato");
    assert!(
        page.text("#storia")
            .contains("annullato (motivo: l'assistente è in ferie)")
    );
    let got = sink.received();
    assert_eq!(got.len(), 3);
    let body = got[2].body();
    assert!(body.contains("è stato annullato"), "{body}");
    assert!(
        body.contains("Motivo del cambiamento: l'assistente è in ferie"),
        "{body}"
    );
    // Cancelled: no more moves, and its time is free again.
    let r = move_to(
        &mut c,
        &format!("/appuntamenti/{other}/sposta"),
        (&day, "17:00"),
        &v,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let v = version(&mut c, &aid).await;
    let r = move_to(&mut c, &sposta, (&day, "12:00"), &v).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

async fn the_week_shows_free_half_hours_and_public_holidays(state: AppState) {
    let (mut c, uid) = worker(&state).await;
    let pid = person(&mut c).await;
    // Wednesday 8 December 2027 is the Immacolata.
    let aid = booked(
        &mut c,
        &format!("/agenda/nuovo?persona={pid}"),
        uid,
        ("06/12/2027", "10:00"),
    )
    .await;
    let week = c
        .get(&format!("/agenda?operatore={uid}&settimana=08/12/2027"))
        .await;
    assert_eq!(week.status, StatusCode::OK);
    assert!(
        week.text("thead")
            .contains("festivo: Immacolata Concezione"),
        "{}",
        week.text("thead")
    );
    // Four working days of twenty half hours, less the two the interview takes.
    let free = week
        .html()
        .select(&scraper::Selector::parse(".sp-week__free").unwrap())
        .count();
    assert_eq!(free, 4 * 20 - 2);
    let row = |label: &str| {
        let tr = scraper::Selector::parse("tbody tr").unwrap();
        let th = scraper::Selector::parse("th").unwrap();
        week.html()
            .select(&tr)
            .find(|tr| {
                tr.select(&th).next().map(|h| h.text().collect::<String>())
                    == Some(label.to_owned())
            })
            .map(|tr| tr.text().collect::<String>())
            .unwrap_or_default()
    };
    assert!(row("10:00").contains("Rossi Mario"), "{}", row("10:00"));
    assert_eq!(appointment_links(&week), [aid]);
    let easter = c
        .get(&format!("/agenda?operatore={uid}&settimana=29/03/2027"))
        .await;
    assert!(easter.text("thead").contains("festivo: Lunedì dell'Angelo"));
}

/// The person's case file takes the interview only from whoever may write in it: the front
/// desk still records the outcome.
async fn the_front_desk_records_an_interview_held_without_writing_in_the_case_file(
    state: AppState,
) {
    let (mut c, uid) = worker(&state).await;
    let pid = person(&mut c).await;
    let case_path = open_case(&mut c, &state, &pid, uid).await;
    let cid = Uuid::parse_str(case_path.trim_start_matches("/cartelle/")).unwrap();
    let mut desk = staff(
        &state,
        "comune-bergamo",
        "016024",
        "sportello",
        Role::OperatoreSportello,
    )
    .await;
    let (day, time) = soon(&state);
    let aid = booked(
        &mut desk,
        &format!("/agenda/nuovo?persona={pid}"),
        uid,
        (&day, &time),
    )
    .await;
    reach_soon(&state);
    let v = version(&mut desk, &aid).await;
    let r = desk
        .post(
            &format!("/appuntamenti/{aid}/esito"),
            &[("status", "svolto"), ("version", &v)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        desk.get(&format!("/appuntamenti/{aid}"))
            .await
            .text("#stato"),
        "svolto"
    );
    let diary = state
        .store
        .diary_entries(org_id(&state).await, cid, Some(0), 0, 50)
        .await
        .unwrap()
        .entries;
    assert!(diary.is_empty());
}
