//! Anagrafe sociale through the pages: registration, search, edits with history, households,
//! support network, documents, duplicates and merge, on SQLite and PostgreSQL.

use crate::support::{Client, staff};
use axum::http::StatusCode;
use domain::Role;
use store::{AuditFilter, AuditStore};
use web::AppState;

on_both!(
    names_starting_with_the_typed_words_come_first_then_other_matches,
    an_operator_registers_a_person_and_finds_them_by_name_in_any_order_code_or_date,
    a_code_that_disagrees_with_the_birth_data_is_shown_and_kept_only_when_confirmed,
    bad_input_is_refused_naming_every_field_and_nothing_is_saved,
    a_possible_duplicate_asks_for_confirmation_and_the_same_code_is_refused,
    an_edit_records_each_change_in_the_history_and_a_stale_form_is_refused,
    a_household_shows_its_members_over_time_and_joining_another_closes_the_old_one,
    the_support_network_shows_on_both_persons_and_can_be_closed,
    identity_documents_are_checked_added_and_removed,
    a_merge_keeps_both_histories_moves_the_household_and_is_audited,
    filters_by_comune_and_age_band_and_pages_of_twenty,
    persons_are_visible_only_inside_their_organization_and_to_allowed_roles,
    the_edit_form_names_the_comuni_and_suggests_them_as_a_name_is_typed,
);

const ROSSI: [(&str, &str); 10] = [
    ("codice_fiscale", "RSSMRA80A01A794J"),
    ("surname", "Rossì"),
    ("given_names", "Mario"),
    ("sex", "M"),
    ("birth_date", "01/01/1980"),
    ("birthplace", "Bergamo"),
    ("citizenship", "IT"),
    ("residence_istat", "016024"),
    ("residence_street", "Via Roma 1"),
    ("phone", "035 123456"),
];

const VERDI: [(&str, &str); 7] = [
    ("surname", "Verdi"),
    ("given_names", "Lucia"),
    ("sex", "F"),
    ("birth_date", "03/03/1950"),
    ("birthplace", "A794"),
    ("citizenship", "IT"),
    ("codice_fiscale", "VRDLCU50C43A794E"),
];

/// Adds the person of codice fiscale `cf` to the household `family` (its path) since
/// 01/06/2010 with the ANPR relationship code `relationship`.
async fn join(c: &mut Client, family: &str, cf: &str, relationship: &str) {
    let r = c
        .post(
            &format!("{family}/componenti"),
            &[
                ("codice_fiscale", cf),
                ("relationship", relationship),
                ("from_date", "01/06/2010"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

/// Registers a person through the form and returns the page path.
async fn register(c: &mut Client, fields: &[(&str, &str)]) -> String {
    let r = c.post("/persone/nuova", fields).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}{}",
        r.text(".sp-error-summary"),
        r.text(".sp-card")
    );
    let path = r.location().to_owned();
    assert!(path.starts_with("/persone/"), "{path}");
    path
}

fn with(
    base: &[(&'static str, &'static str)],
    changes: &[(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str)> {
    let mut v: Vec<_> = base
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .copied()
        .collect();
    v.extend_from_slice(changes);
    v
}

fn web_q(q: &str) -> String {
    q.replace(' ', "+").replace('/', "%2F")
}

async fn sportello(state: &AppState) -> Client {
    staff(
        state,
        "comune-bergamo",
        "016024",
        "sportello",
        Role::OperatoreSportello,
    )
    .await
}

/// The accounts office (ragioneria) of the same comune, which may not see persons.
async fn ragioneria(state: &AppState) -> Client {
    staff(
        state,
        "comune-bergamo",
        "016024",
        "ragioneria",
        Role::Ragioneria,
    )
    .await
}

async fn an_operator_registers_a_person_and_finds_them_by_name_in_any_order_code_or_date(
    state: AppState,
) {
    let mut c = sportello(&state).await;
    let path = register(&mut c, &ROSSI).await;
    let page = c.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("h1"), "Rossì Mario");
    assert!(page.body.contains("Bergamo (BG)"), "{}", page.body);
    for q in [
        "mario rossi",
        "ROSSI",
        "ros mar",
        "rossi 01/01/1980",
        "rssmra80a01a794j",
        "RSSMRA80A01A794J",
    ] {
        let r = c.get(&format!("/persone?q={}", web_q(q))).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains(&path),
            "search «{q}» did not find the person"
        );
    }
    for q in ["bianchi", "mario 02/01/1980", "rossi+mario+luigi"] {
        let r = c.get(&format!("/persone?q={}", web_q(q))).await;
        assert!(!r.body.contains(&path), "search «{q}» found the person");
        assert!(r.body.contains("Nessuna persona trovata"));
    }
    let fragment = c.get("/persone?q=rossi&frammento=1").await;
    assert!(fragment.body.contains(&path));
    assert!(
        !fragment.body.contains("<html"),
        "the fragment is not a whole page"
    );
    let one_letter = c.get("/persone?q=r").await;
    assert!(
        one_letter.body.contains(&path),
        "one letter is the start of a name"
    );
    let nothing = c.get("/persone?q=%21%3F").await;
    assert!(
        nothing.body.contains("inizio del cognome"),
        "{}",
        nothing.body
    );
}

async fn a_code_that_disagrees_with_the_birth_data_is_shown_and_kept_only_when_confirmed(
    state: AppState,
) {
    let mut c = sportello(&state).await;
    let wrong = with(&ROSSI, &[("birth_date", "02/01/1980")]);
    let r = c.post("/persone/nuova", &wrong).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text(".sp-error-summary").contains("giorno di nascita"),
        "{}",
        r.body
    );
    assert!(r.body.contains("id=\"cf_mismatch_confirmed\""));
    let confirmed = with(&wrong, &[("cf_mismatch_confirmed", "1")]);
    let path = register(&mut c, &confirmed).await;
    let page = c.get(&path).await;
    assert!(page.body.contains("non corrispondente ai dati, confermato"));
}

async fn bad_input_is_refused_naming_every_field_and_nothing_is_saved(state: AppState) {
    let mut c = sportello(&state).await;
    let r = c
        .post(
            "/persone/nuova",
            &[
                ("codice_fiscale", "RSSMRA80A01A794X"),
                ("surname", "R0ssi"),
                ("birth_date", "31/02/1980"),
                ("citizenship", "Atlantide"),
                ("residence_istat", "999999"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = r.text(".sp-error-summary");
    for needle in [
        "atteso 'J'",
        "non è ammesso",
        "indicare il nome",
        "sesso",
        "data valida",
        "cittadinanza",
        "codice ISTAT",
    ] {
        assert!(summary.contains(needle), "missing «{needle}» in {summary}");
    }
    let list = c.get("/persone?q=rossi").await;
    assert!(list.body.contains("Nessuna persona trovata"));
}

async fn a_possible_duplicate_asks_for_confirmation_and_the_same_code_is_refused(state: AppState) {
    let mut c = sportello(&state).await;
    let first = register(&mut c, &ROSSI).await;
    let same_cf = with(&ROSSI, &[("surname", "Rossi"), ("given_names", "Mario")]);
    let r = c.post("/persone/nuova", &same_cf).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text(".sp-error-summary").contains("già registrato"));
    assert!(r.body.contains(&first));
    // No code, a name spelled differently, same birth date: a possible duplicate.
    let similar = with(&ROSSI, &[("codice_fiscale", ""), ("surname", "Rosi")]);
    let r = c.post("/persone/nuova", &similar).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("nome simile e stessa data di nascita"),
        "{}",
        r.body
    );
    let confirmed = with(&similar, &[("nessun_doppione", "1")]);
    let second = register(&mut c, &confirmed).await;
    assert_ne!(first, second);
}

async fn an_edit_records_each_change_in_the_history_and_a_stale_form_is_refused(state: AppState) {
    let mut c = sportello(&state).await;
    let path = register(&mut c, &ROSSI).await;
    let edit = c.get(&format!("{path}/modifica")).await;
    assert!(edit.body.contains("name=\"version\" value=\"1\""));
    let changed = with(
        &ROSSI,
        &[
            ("phone", "333 1234567"),
            ("residence_street", "Via Verdi 2"),
            ("version", "1"),
        ],
    );
    let r = c.post(&format!("{path}/modifica"), &changed).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get(&path).await;
    assert!(
        page.body.contains("Telefono: 035 123456 → 333 1234567"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("Residenza: Via Roma 1, Bergamo (BG) → Via Verdi 2, Bergamo (BG)")
    );
    // A second operator's form opened at version 1 no longer applies.
    let stale = with(&ROSSI, &[("phone", "000 000000"), ("version", "1")]);
    let r = c.post(&format!("{path}/modifica"), &stale).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("un altro operatore"));
    let page = c.get(&path).await;
    assert!(!page.body.contains("000 000000"));
    let audit = state
        .store
        .list_audit(&AuditFilter {
            action_prefix: Some("person.".into()),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "person.update").count(), 1);
    assert_eq!(actions.iter().filter(|a| **a == "person.create").count(), 1);
}

async fn a_household_shows_its_members_over_time_and_joining_another_closes_the_old_one(
    state: AppState,
) {
    let mut c = sportello(&state).await;
    let mario = register(&mut c, &ROSSI).await;
    let anna = register(
        &mut c,
        &[
            ("codice_fiscale", "BNCNNA82B45A794U"),
            ("surname", "Bianchi"),
            ("given_names", "Anna"),
            ("sex", "F"),
            ("birth_date", "05/02/1982"),
            ("birthplace", "A794"),
            ("citizenship", "IT"),
        ],
    )
    .await;
    let r = c
        .post(&format!("{mario}/famiglia"), &[("from_date", "01/06/2010")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let family = r.location().to_owned();
    join(&mut c, &family, "bncnna82b45a794u", "2").await;
    let page = c.get(&family).await;
    assert_eq!(page.text("h1"), "Famiglia di Rossì Mario");
    assert!(page.body.contains("marito / moglie"));
    // Mario's mother, older than him, joins: the head of the household stays first.
    register(&mut c, &VERDI).await;
    join(&mut c, &family, "VRDLCU50C43A794E", "6").await;
    let page = c.get(&family).await;
    assert_eq!(page.text("tbody tr td a"), "Rossì Mario", "{}", page.body);
    // Recording a member's leaving asks for confirmation first.
    assert!(
        page.attr("form[action$='/termina']", "data-confirm")
            .starts_with("Registrare l'uscita di Rossì Mario dal nucleo?"),
        "{}",
        page.body
    );
    let person = c.get(&anna).await;
    assert!(
        person.body.contains(&family),
        "the person's page links the household"
    );
    assert!(
        person.body.contains("Rossì Mario"),
        "and lists its members at a glance"
    );
    // Anna starts a new household: her membership of the first one closes the day before.
    let r = c
        .post(&format!("{anna}/famiglia"), &[("from_date", "01/03/2024")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = c.get(&family).await;
    assert!(page.body.contains("Componenti precedenti"));
    assert!(page.body.contains("29/02/2024"), "{}", page.body);
    // Bad input comes back with the form as typed and each error beside its field.
    let r = c
        .post(
            &format!("{family}/componenti"),
            &[
                ("codice_fiscale", "XXXXXX00X00X000X"),
                ("relationship", "3"),
                ("from_date", "31/02/2024"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.attr("#codice_fiscale", "value"), "XXXXXX00X00X000X");
    assert_eq!(r.attr("#relationship option[selected]", "value"), "3");
    assert_eq!(r.attr("#from_date", "value"), "31/02/2024");
    assert!(
        r.text("#codice_fiscale-err").contains("nessuna persona"),
        "{}",
        r.body
    );
    assert!(!r.text("#from_date-err").is_empty(), "{}", r.body);
}

async fn the_support_network_shows_on_both_persons_and_can_be_closed(state: AppState) {
    let mut c = sportello(&state).await;
    let mario = register(&mut c, &ROSSI).await;
    let lucia = register(&mut c, &VERDI).await;
    let r = c
        .post(
            &format!("{lucia}/rete"),
            &[
                ("kind", "amministratore_di_sostegno"),
                ("codice_fiscale", "RSSMRA80A01A794J"),
                ("detail", "decreto Tribunale di Bergamo 12/2024"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = c
        .post(
            &format!("{lucia}/rete"),
            &[
                ("kind", "caregiver"),
                ("related_name", "Giulia Neri"),
                ("phone", "333 000111"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = c.get(&lucia).await;
    assert!(
        page.body.contains("Amministratore di sostegno"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Giulia Neri"));
    let other = c.get(&mario).await;
    assert!(
        other.body.contains("È amministratore di sostegno di"),
        "{}",
        other.body
    );
    assert!(other.body.contains("Verdi Lucia"));
    let r = c
        .post(&format!("{lucia}/rete"), &[("kind", "caregiver")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        c.get(&lucia)
            .await
            .body
            .contains("indicare il nome o il codice fiscale")
    );
}

async fn identity_documents_are_checked_added_and_removed(state: AppState) {
    let mut c = sportello(&state).await;
    let path = register(&mut c, &ROSSI).await;
    let r = c
        .post(
            &format!("{path}/documenti"),
            &[
                ("kind", "cie"),
                ("number", "CA12345AB"),
                ("issued_by", "Comune di Bergamo"),
                ("issued_on", "01/01/2020"),
                ("expires_on", "01/01/2019"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text(".sp-error-summary")
            .contains("scadenza è precedente")
    );
    let r = c
        .post(
            &format!("{path}/documenti"),
            &[
                ("kind", "cie"),
                ("number", "CA12345AB"),
                ("issued_by", "Comune di Bergamo"),
                ("issued_on", "01/01/2015"),
                ("expires_on", "01/01/2025"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = c.get(&path).await;
    assert!(page.body.contains("CA12345AB"));
    assert!(
        page.body.contains("Scaduto"),
        "expired documents are flagged"
    );
}

async fn a_merge_keeps_both_histories_moves_the_household_and_is_audited(state: AppState) {
    let mut c = sportello(&state).await;
    let keep = register(&mut c, &ROSSI).await;
    let dup_fields = with(
        &ROSSI,
        &[
            ("codice_fiscale", ""),
            ("surname", "Rosi"),
            ("nessun_doppione", "1"),
            ("phone", ""),
        ],
    );
    let dup = register(&mut c, &dup_fields).await;
    let r = c
        .post(&format!("{dup}/famiglia"), &[("from_date", "01/01/2020")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // The front desk may not merge; a responsabile may.
    let dup_id = dup.trim_start_matches("/persone/");
    let r = c.get(&format!("{keep}/unisci/{dup_id}")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut boss = staff(
        &state,
        "comune-bergamo",
        "016024",
        "responsabile",
        Role::Responsabile,
    )
    .await;
    let page = boss.get(&keep).await;
    assert!(
        page.body.contains("Possibili schede doppie"),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!("{keep}/unisci/{dup_id}")));
    let r = boss
        .post(&format!("{keep}/unisci/{dup_id}"), &[("reason", "")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = boss
        .post(
            &format!("{keep}/unisci/{dup_id}"),
            &[("reason", "stesso documento, registrata due volte")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = boss.get(&keep).await;
    assert!(page.body.contains("Unita la scheda doppia di Rosi Mario"));
    let history = page.text(".sp-history");
    assert!(
        history.contains("Cognome della scheda unita: Rosi (questa scheda: Rossì)"),
        "what the duplicate brought: {history}"
    );
    assert!(
        !history.contains("Codice fiscale") && !history.contains("Telefono"),
        "the duplicate's blanks do not read as the survivor's data wiped: {history}"
    );
    assert!(
        page.body.contains("dalla scheda unita"),
        "the duplicate's history shows too"
    );
    assert!(
        page.body.contains("Intestatario"),
        "the duplicate's household moved: {}",
        page.body
    );
    let r = boss.get(&dup).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), keep);
    let search = boss.get("/persone?q=rosi").await;
    assert!(
        !search.body.contains(&dup),
        "merged duplicates leave the search"
    );
    let audit = state
        .store
        .list_audit(&AuditFilter {
            action_prefix: Some("person.merge".into()),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        audit[0].reason.as_deref(),
        Some("stesso documento, registrata due volte")
    );
}

async fn filters_by_comune_and_age_band_and_pages_of_twenty(state: AppState) {
    let mut c = staff(
        &state,
        "ambito",
        "016024 016203",
        "sportello",
        Role::OperatoreSportello,
    )
    .await;
    let names = [
        "Ada", "Bice", "Carla", "Dora", "Elsa", "Fiore", "Gilda", "Ilaria", "Lidia", "Marta",
        "Nora", "Olga", "Paola", "Rita", "Sara", "Tina", "Ursula", "Vera", "Zita", "Alba", "Bruna",
        "Clara", "Diana",
    ];
    for (i, name) in names.iter().enumerate() {
        let day = format!("{:02}/01/1990", i + 1);
        let istat = if i % 2 == 0 { "016024" } else { "016203" };
        let fields = [
            ("surname", "Colombo"),
            ("given_names", name),
            ("sex", "F"),
            ("birth_date", day.as_str()),
            ("birthplace", "A794"),
            ("citizenship", "IT"),
            ("residence_istat", istat),
            ("residence_street", "Via Roma 1"),
        ];
        register(&mut c, &fields).await;
    }
    let first = c.get("/persone?q=colombo").await;
    assert_eq!(
        first
            .html()
            .select(&scraper::Selector::parse("tbody tr").unwrap())
            .count(),
        20
    );
    assert!(first.body.contains("pagina=2"));
    let second = c.get("/persone?q=colombo&pagina=2").await;
    assert_eq!(
        second
            .html()
            .select(&scraper::Selector::parse("tbody tr").unwrap())
            .count(),
        3
    );
    let seriate = c.get("/persone?q=colombo&comune=016203").await;
    assert_eq!(
        seriate
            .html()
            .select(&scraper::Selector::parse("tbody tr").unwrap())
            .count(),
        11
    );
    let old = c.get("/persone?q=colombo&eta=65-79").await;
    assert!(old.body.contains("Nessuna persona trovata"));
    let adults = c.get("/persone?comune=016024&eta=18-64").await;
    assert_eq!(
        adults
            .html()
            .select(&scraper::Selector::parse("tbody tr").unwrap())
            .count(),
        12
    );
}

async fn persons_are_visible_only_inside_their_organization_and_to_allowed_roles(state: AppState) {
    let mut c = sportello(&state).await;
    let path = register(&mut c, &ROSSI).await;
    let mut other = staff(
        &state,
        "comune-seriate",
        "016203",
        "seriate",
        Role::OperatoreSportello,
    )
    .await;
    assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
    assert!(
        other
            .get("/persone?q=rossi")
            .await
            .body
            .contains("Nessuna persona trovata")
    );
    let mut money = ragioneria(&state).await;
    assert_eq!(
        money.get("/persone?q=rossi").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(money.get(&path).await.status, StatusCode::FORBIDDEN);
}

async fn names_starting_with_the_typed_words_come_first_then_other_matches(state: AppState) {
    let mut c = sportello(&state).await;
    let person = |surname: &'static str, names: &'static str, day: &'static str| {
        [
            ("surname", surname),
            ("given_names", names),
            ("sex", "F"),
            ("birth_date", day),
            ("birthplace", "A794"),
            ("citizenship", "IT"),
        ]
    };
    let middle = register(&mut c, &person("Rossi", "Anna Maria", "01/01/1970")).await;
    let exact = register(&mut c, &person("Rossi", "Maria", "02/01/1970")).await;
    let first_name = register(&mut c, &person("Maria", "Rossella", "03/01/1970")).await;
    let r = c.get("/persone?q=rossi+mar").await;
    let (a, b) = (r.body.find(&exact), r.body.find(&middle));
    assert!(a.is_some() && b.is_some(), "both found: {}", r.body);
    assert!(
        a < b,
        "«Rossi Maria» starts with the typed words and comes first"
    );
    assert!(!r.body.contains(&first_name), "{}", r.body);
    let r = c.get("/persone?q=maria+ross").await;
    let (a, b) = (r.body.find(&exact), r.body.find(&first_name));
    assert!(
        a.is_some() && b.is_some(),
        "names first and surname first: {}",
        r.body
    );
    // Without a date the other names come from each backend's word index; with one, the
    // words are matched on that day's persons. Either way a word must start a word of the name.
    for (q, found, missed) in [
        ("anna rossi", &middle, &exact),
        ("maria rossi anna", &middle, &first_name),
        ("rossel mar", &first_name, &exact),
        ("maria 01/01/1970", &middle, &exact),
        ("rossi anna 01/01/1970", &middle, &exact),
        ("mar 02/01/1970", &exact, &middle),
        ("ross 03/01/1970", &first_name, &middle),
    ] {
        let r = c.get(&format!("/persone?q={}", web_q(q))).await;
        assert!(r.body.contains(found.as_str()), "«{q}»: {}", r.body);
        assert!(!r.body.contains(missed.as_str()), "«{q}»: {}", r.body);
    }
    // With a date, one statement ranks that day's matches as the passes would list them:
    // surname first, then names first, then the other names, each in its own order.
    let similar =
        |surname, names, day| with(&person(surname, names, day), &[("nessun_doppione", "1")]);
    let surname_first = register(&mut c, &similar("Maria", "Rossella", "05/01/1971")).await;
    let names_first = register(&mut c, &similar("Rossi", "Maria", "05/01/1971")).await;
    let anywhere = register(
        &mut c,
        &similar("Bianchi", "Marta Maria Rossana", "05/01/1971"),
    )
    .await;
    let other_day = register(&mut c, &similar("Maria", "Rossella", "06/01/1972")).await;
    let r = c
        .get(&format!("/persone?q={}", web_q("maria ross 05/01/1971")))
        .await;
    let at = |id: &str| r.body.find(id);
    assert!(
        at(&surname_first).is_some()
            && at(&surname_first) < at(&names_first)
            && at(&names_first) < at(&anywhere),
        "{}",
        r.body
    );
    assert!(!r.body.contains(&other_day), "{}", r.body);
    // A single letter is no word: only names starting with it, surname or names first.
    let r = c
        .get(&format!("/persone?q={}", web_q("r 05/01/1971")))
        .await;
    assert!(
        r.body.find(&names_first).is_some()
            && r.body.find(&names_first) < r.body.find(&surname_first),
        "{}",
        r.body
    );
    assert!(!r.body.contains(&anywhere), "{}", r.body);
    for q in [
        "aria 01/01/1970",
        "anna 02/01/1970",
        "ria rossi",
        "anna rossella",
    ] {
        let r = c.get(&format!("/persone?q={}", web_q(q))).await;
        assert!(
            r.body.contains("Nessuna persona trovata"),
            "«{q}»: {}",
            r.body
        );
    }
}

async fn the_edit_form_names_the_comuni_and_suggests_them_as_a_name_is_typed(state: AppState) {
    let mut c = sportello(&state).await;
    // Typed as an ISTAT code and a name: the edit form gives both back as names.
    let path = register(&mut c, &ROSSI).await;
    let edit = c.get(&format!("{path}/modifica")).await;
    assert_eq!(edit.attr("#residence_istat", "value"), "Bergamo");
    assert_eq!(edit.attr("#birthplace", "value"), "Bergamo (BG)");
    assert_eq!(
        edit.attr("form.sp-form", "data-comuni"),
        "birthplace residence_istat domicile_istat"
    );
    // Sent back as shown, the form changes nothing.
    let same = with(
        &ROSSI,
        &[
            ("residence_istat", "Bergamo"),
            ("birthplace", "Bergamo (BG)"),
            ("version", "1"),
        ],
    );
    let r = c.post(&format!("{path}/modifica"), &same).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        c.get(&path)
            .await
            .body
            .contains("Nessuna modifica da salvare"),
        "the names read back as the same comuni"
    );

    // The suggestions: comuni in force whose name begins with what is typed, with the
    // value the field takes.
    let r = c.get("/comuni?q=berg").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers[axum::http::header::CONTENT_TYPE],
        "application/json"
    );
    let found: serde_json::Value = serde_json::from_str(&r.body).expect("JSON");
    let found = found.as_array().expect("a list");
    assert!(found.len() <= 10);
    assert!(
        found.contains(
            &serde_json::json!({"nome": "Bergamo", "provincia": "BG", "valore": "Bergamo (BG)"})
        ),
        "{found:?}"
    );
    let calliano = c.get("/comuni?q=Calliano").await.body;
    assert!(
        calliano.contains("Calliano (AT)") && calliano.contains("Calliano (TN)"),
        "{calliano}"
    );
    // Too little, too much or nothing like a name: no suggestion.
    let long = "a".repeat(61);
    for q in ["b", "", "%27%3B--", long.as_str(), "zzzz"] {
        assert_eq!(c.get(&format!("/comuni?q={q}")).await.body, "[]", "{q}");
    }
    // Who may not edit persons may not ask; nor may anyone without a session.
    let mut money = ragioneria(&state).await;
    assert_eq!(
        money.get("/comuni?q=berg").await.status,
        StatusCode::FORBIDDEN
    );
    let anonymous = Client::new(&state).get("/comuni?q=berg").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(anonymous.location().starts_with("/login"));
}
