//! The civil-registry import: its semantics on SQLite and PostgreSQL (through
//! `app::registry::import_file` and the store), the pages, and the example files.

use crate::support::{self, Client};
use app::registry::{ImportReport, import_file};
use axum::http::StatusCode;
use domain::person::{RegistryEventKind, Relationship};
use store::{
    AuditFilter, AuditStore, HouseholdStore, ImportStatus, OpenMatter, OrgStore, Organization,
    PersonStore, RegistryBatch, RegistryStore,
};
use territory::BelfioreCode;
use time::Date;
use time::macros::date;
use uuid::Uuid;

const TODAY: Date = date!(2026 - 11 - 26);
const HEADER: &str = "id_anpr;codice_fiscale;cognome;nome;sesso;data_nascita;luogo_nascita;cittadinanza;stato_civile;data_decesso;indirizzo;data_decorrenza_residenza;id_famiglia;rapporto_parentela";
const MARIO: &str =
    "1001;RSSMRA80A01A794J;Rossi;Mario;M;1980-01-01;A794;IT;2;;Via Roma 1;2010-05-01;F1;1";
const ANNA: &str = "1002;;Bianchi;Anna;F;1982-03-02;A794;IT;2;;Via Roma 1;2010-05-01;F1;2";
const LUCA: &str = "1003;;Rossi;Luca;M;2012-06-10;A794;IT;1;;Via Roma 1;2012-06-10;F1;3";
const PIA: &str = "1004;;Verdi;Pia;F;1940-02-02;A794;IT;3;;Via Tasso 8;1990-01-01;F2;1";

fn csv(rows: &[&str]) -> Vec<u8> {
    let mut s = String::from(HEADER);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.into_bytes()
}

fn bergamo() -> BelfioreCode {
    BelfioreCode::new("A794").unwrap()
}

fn now() -> time::OffsetDateTime {
    domain::audit::truncate_to_micros(time::OffsetDateTime::now_utc())
}

/// The installation acting in `org`, as the command line imports.
fn system(org: &Organization) -> app::Actor {
    app::Actor::system(org.clone(), now())
}

async fn org(store: &app::Store) -> Organization {
    support::create_org(
        store,
        now(),
        domain::OrgCode::parse("comune-bg").unwrap(),
        "Comune di Bergamo",
        domain::OrgKind::Comune,
        app::manage::parse_comuni("016024").unwrap(),
    )
    .await
}

async fn import(
    store: &app::Store,
    org: &Organization,
    bytes: &[u8],
    reference: Date,
) -> ImportReport {
    import_file(
        store,
        org.id,
        bergamo(),
        "anagrafe.csv",
        bytes,
        Some(reference),
        &system(org),
        TODAY,
        None,
    )
    .await
    .unwrap()
}

fn events(r: &ImportReport, kind: RegistryEventKind) -> i64 {
    r.import
        .events
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(0, |(_, n)| *n)
}

async fn import_audits(store: &app::Store, org: &Organization) -> i64 {
    store
        .count_audit(&AuditFilter {
            org_id: Some(org.id),
            action_prefix: Some("anagrafe.import".into()),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .unwrap()
}

/// Runs a scenario on SQLite and, when configured, on PostgreSQL.
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(&super::support::app().await.store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(app) = super::support::app_pg().await else { return };
                    super::$name(&app.store).await;
                }
            )*
        }
    };
}

on_both_stores!(
    the_first_import_is_a_baseline_and_the_same_file_again_changes_nothing,
    a_newer_list_records_births_moves_deaths_and_emigrations,
    an_existing_person_with_the_same_codice_fiscale_is_linked_not_duplicated,
    bad_rows_are_rejected_and_the_rest_applied,
    a_failed_batch_leaves_nothing_behind,
    events_of_persons_with_an_open_matter_are_listed_for_review,
    an_older_list_or_a_foreign_comune_is_refused,
    the_example_files_import,
);

async fn the_first_import_is_a_baseline_and_the_same_file_again_changes_nothing(s: &app::Store) {
    let o = org(s).await;
    let file = csv(&[MARIO, ANNA, LUCA, PIA]);
    let r = import(s, &o, &file, date!(2026 - 10 - 01)).await;
    assert_eq!(r.import.status, ImportStatus::Done);
    assert!(r.import.baseline);
    assert_eq!(
        (r.import.rows_read, r.import.created, r.import.event_total()),
        (4, 4, 0)
    );
    let mario = s.find_person_by_cf(o.id, "RSSMRA80A01A794J").await.unwrap();
    let link = mario.registry.clone().unwrap();
    assert_eq!((link.comune.as_str(), link.id.as_str()), ("A794", "1001"));
    assert_eq!(mario.data.residence.as_ref().unwrap().street, "Via Roma 1");
    let homes = s.person_households(o.id, mario.id).await.unwrap();
    assert_eq!(homes.len(), 1);
    assert_eq!(homes[0].relationship, Relationship::Head);
    let members = s
        .household_members(o.id, homes[0].household_id)
        .await
        .unwrap();
    assert_eq!(members.len(), 3);
    // No per-person history on the baseline.
    assert!(s.person_history(o.id, mario.id).await.unwrap().is_empty());

    let again = import(s, &o, &file, date!(2026 - 10 - 01)).await;
    assert!(!again.import.baseline);
    assert_eq!(
        (
            again.import.created,
            again.import.updated,
            again.import.left,
            again.import.event_total(),
            again.import.unchanged
        ),
        (0, 0, 0, 0, 4)
    );
    assert_eq!(s.list_registry_imports(o.id, 10).await.unwrap().len(), 2);
    assert_eq!(import_audits(s, &o).await, 2);
}

async fn a_newer_list_records_births_moves_deaths_and_emigrations(s: &app::Store) {
    let o = org(s).await;
    import(
        s,
        &o,
        &csv(&[MARIO, ANNA, LUCA, PIA]),
        date!(2026 - 10 - 01),
    )
    .await;
    let next = csv(&[
        // Moved within the comune with a new household.
        "1001;RSSMRA80A01A794J;Rossi;Mario;M;1980-01-01;A794;IT;4;;Via Dante 5;2026-10-10;F9;1",
        // Died.
        "1002;;Bianchi;Anna;F;1982-03-02;A794;IT;2;2026-10-20;Via Roma 1;2010-05-01;F1;2",
        // Changed surname.
        "1003;;Rossi Neri;Luca;M;2012-06-10;A794;IT;1;;Via Roma 1;2012-06-10;F1;3",
        // Born, and moved in.
        "1005;;Rossi;Ugo;M;2026-10-15;A794;IT;;;Via Dante 5;2026-10-15;F9;3",
        "1006;;Kaur;Simran;F;1995-06-01;Z222;Z222;1;;Via Tasso 9;2026-10-20;F7;1",
        // 1004 (Verdi Pia) is gone: emigrated.
    ]);
    let r = import(s, &o, &next, date!(2026 - 11 - 01)).await;
    assert_eq!(r.import.status, ImportStatus::Done, "{:?}", r.import.error);
    assert!(!r.import.baseline);
    assert_eq!(
        (
            r.import.created,
            r.import.updated,
            r.import.left,
            r.import.unchanged
        ),
        (2, 3, 1, 0)
    );
    for (kind, n) in [
        (RegistryEventKind::Birth, 1),
        (RegistryEventKind::MoveIn, 1),
        (RegistryEventKind::Death, 1),
        (RegistryEventKind::MoveOut, 1),
        (RegistryEventKind::AddressChange, 1),
        (RegistryEventKind::HouseholdChange, 1),
        (RegistryEventKind::NameChange, 1),
        (RegistryEventKind::CivilStatusChange, 1),
    ] {
        assert_eq!(events(&r, kind), n, "{kind:?}: {:?}", r.import.events);
    }
    // Mario: old membership closed the day before the move, new one open.
    let mario = s.find_person_by_cf(o.id, "RSSMRA80A01A794J").await.unwrap();
    let homes = s.person_households(o.id, mario.id).await.unwrap();
    assert_eq!(homes.len(), 2);
    assert_eq!(homes[0].from_date, date!(2026 - 10 - 10));
    assert_eq!(homes[0].to_date, None);
    assert_eq!(homes[1].to_date, Some(date!(2026 - 10 - 09)));
    let evs = s.person_registry_events(o.id, mario.id).await.unwrap();
    assert_eq!(evs.len(), 3, "{evs:?}");
    assert!(
        evs.iter().all(|e| e.event_date == date!(2026 - 10 - 10)
            || e.kind == RegistryEventKind::CivilStatusChange)
    );
    let history = s.person_history(o.id, mario.id).await.unwrap();
    assert_eq!(history.len(), 3);
    assert!(history.iter().all(|h| h.kind == "anagrafe"));
    // Pia left the registry on the reference date; her membership closed.
    let pia_id = by_registry_id(s, &o, "1004").await;
    let pia = s.get_person(o.id, pia_id).await.unwrap();
    assert_eq!(pia.registry_left_on, Some(date!(2026 - 11 - 01)));
    let pia_homes = s.person_households(o.id, pia_id).await.unwrap();
    assert_eq!(pia_homes[0].to_date, Some(date!(2026 - 11 - 01)));
    // One audit row per import, never one per person.
    assert_eq!(import_audits(s, &o).await, 2);
    // The same newer list again: nothing.
    let again = import(s, &o, &next, date!(2026 - 11 - 01)).await;
    assert_eq!(
        (
            again.import.created,
            again.import.updated,
            again.import.left,
            again.import.event_total()
        ),
        (0, 0, 0, 0)
    );
    // And a list without the dead: no emigration for them.
    let later = csv(&[
        "1001;RSSMRA80A01A794J;Rossi;Mario;M;1980-01-01;A794;IT;4;;Via Dante 5;2026-10-10;F9;1",
        "1003;;Rossi Neri;Luca;M;2012-06-10;A794;IT;1;;Via Roma 1;2012-06-10;F1;3",
        "1005;;Rossi;Ugo;M;2026-10-15;A794;IT;;;Via Dante 5;2026-10-15;F9;3",
        "1006;;Kaur;Simran;F;1995-06-01;Z222;Z222;1;;Via Tasso 9;2026-10-20;F7;1",
    ]);
    let r = import(s, &o, &later, date!(2026 - 11 - 20)).await;
    assert_eq!(
        (r.import.left, r.import.event_total(), r.import.unchanged),
        (0, 0, 4)
    );
}

/// The id of the person with this registry id in Bergamo's registry.
async fn by_registry_id(s: &app::Store, o: &Organization, id: &str) -> Uuid {
    s.registry_persons(o.id, "A794")
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.person.registry.as_ref().is_some_and(|l| l.id == id))
        .unwrap()
        .person
        .id
}

async fn an_existing_person_with_the_same_codice_fiscale_is_linked_not_duplicated(s: &app::Store) {
    let o = org(s).await;
    let input = domain::person::PersonInput {
        codice_fiscale: "RSSMRA80A01A794J".into(),
        surname: "Rossi".into(),
        given_names: "Mario".into(),
        sex: "M".into(),
        birth_date: "01/01/1980".into(),
        birthplace: "A794".into(),
        citizenship: "IT".into(),
        phone: "035 123456".into(),
        ..Default::default()
    };
    let data = domain::person::parse_person(&input, TODAY).unwrap();
    let now = now();
    let existing = store::Person {
        id: Uuid::now_v7(),
        org_id: o.id,
        data,
        registry: None,
        registry_left_on: None,
        merged_into: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let history = store::NewHistory {
        person_id: existing.id,
        at_us: 0,
        actor: "test".into(),
        kind: "creazione",
        summary: "creata".into(),
        changes: vec![],
    };
    s.create_person(
        &existing,
        &history,
        &system(&o).audit("person.create", "person", Some(existing.id), "x".into()),
    )
    .await
    .unwrap();
    let r = import(s, &o, &csv(&[MARIO, ANNA]), date!(2026 - 10 - 01)).await;
    assert_eq!(r.import.created, 2);
    let mario = s.find_person_by_cf(o.id, "RSSMRA80A01A794J").await.unwrap();
    assert_eq!(mario.id, existing.id, "linked, not duplicated");
    assert_eq!(mario.registry.unwrap().id, "1001");
    assert_eq!(mario.data.phone.as_deref(), Some("035 123456"));
    assert_eq!(mario.version, 2);
    assert_eq!(s.person_households(o.id, mario.id).await.unwrap().len(), 1);
    let history = s.person_history(o.id, mario.id).await.unwrap();
    assert!(history[0].summary.contains("Collegata"), "{history:?}");
}

async fn bad_rows_are_rejected_and_the_rest_applied(s: &app::Store) {
    let o = org(s).await;
    let file = csv(&[
        MARIO,
        "1010;;Verdi;Lia;X;31/02/1990;A794;IT;;;Via Roma 3;;F3;1",
        ANNA,
        "1011;;Neri;Ugo;M;1950-01-01;A794;IT;;;Via Roma 4;;F4;",
    ]);
    let r = import(s, &o, &file, date!(2026 - 10 - 01)).await;
    assert_eq!(r.import.status, ImportStatus::Done);
    assert_eq!(
        (r.import.rows_read, r.import.created, r.import.rejected),
        (4, 2, 2)
    );
    let stored = s.registry_rejections(o.id, r.import.id).await.unwrap();
    assert_eq!(stored, r.rejections);
    let got: Vec<(i64, &str)> = stored.iter().map(|x| (x.line, x.field.as_str())).collect();
    assert_eq!(
        got,
        [(3, "sesso"), (3, "data_nascita"), (5, "rapporto_parentela")]
    );
    assert!(stored[0].reason.contains("M o F"), "{}", stored[0].reason);
    let back = s.get_registry_import(o.id, r.import.id).await.unwrap();
    assert_eq!(back, r.import);
}

async fn a_failed_batch_leaves_nothing_behind(s: &app::Store) {
    let o = org(s).await;
    let r = import(s, &o, &csv(&[MARIO]), date!(2026 - 10 - 01)).await;
    let data = s
        .find_person_by_cf(o.id, "RSSMRA80A01A794J")
        .await
        .unwrap()
        .data;
    let now = now();
    let person = store::Person {
        id: Uuid::now_v7(),
        org_id: o.id,
        data: domain::person::PersonData {
            codice_fiscale: None,
            ..data
        },
        registry: Some(store::RegistryLink {
            comune: "A794".into(),
            id: "2001".into(),
        }),
        registry_left_on: None,
        merged_into: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let batch = RegistryBatch {
        org_id: o.id,
        import_id: r.import.id,
        created: vec![person.clone()],
        // A household that does not exist: the foreign key refuses the membership.
        opened_memberships: vec![store::HouseholdMember {
            id: Uuid::now_v7(),
            org_id: o.id,
            household_id: Uuid::now_v7(),
            person_id: person.id,
            relationship: Relationship::Head,
            from_date: date!(2026 - 10 - 01),
            to_date: None,
        }],
        ..RegistryBatch::default()
    };
    assert!(s.apply_registry_batch(&batch).await.is_err());
    assert!(matches!(
        s.get_person(o.id, person.id).await,
        Err(store::StoreError::NotFound)
    ));
}

async fn events_of_persons_with_an_open_matter_are_listed_for_review(s: &app::Store) {
    let o = org(s).await;
    import(s, &o, &csv(&[MARIO, ANNA, PIA]), date!(2026 - 10 - 01)).await;
    let mario = s.find_person_by_cf(o.id, "RSSMRA80A01A794J").await.unwrap();
    let case = Uuid::now_v7();
    let at = system(&o);
    s.open_matter(
        &OpenMatter {
            id: Uuid::now_v7(),
            org_id: o.id,
            person_id: mario.id,
            kind: "cartella".into(),
            ref_id: case,
            opened_at_us: 1,
            closed_at_us: None,
        },
        &at.audit("matter.open", "case_file", Some(case), "aperta".into()),
    )
    .await
    .unwrap();
    assert_eq!(s.open_matters(o.id, mario.id).await.unwrap().len(), 1);
    // Mario moves and Pia emigrates: only Mario has an open matter.
    let next = csv(&[
        "1001;RSSMRA80A01A794J;Rossi;Mario;M;1980-01-01;A794;IT;2;;Via Dante 5;2026-10-10;F1;1",
        ANNA,
    ]);
    import(s, &o, &next, date!(2026 - 11 - 01)).await;
    let listed = s
        .registry_events_to_review(o.id, false, false, 100)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].kind, RegistryEventKind::AddressChange);
    assert_eq!(listed[0].surname, "Rossi");
    s.review_registry_event(
        o.id,
        listed[0].id,
        42,
        "resp",
        &at.audit(
            "anagrafe.evento.verificato",
            "registry_event",
            None,
            "ok".into(),
        ),
    )
    .await
    .unwrap();
    assert!(
        s.registry_events_to_review(o.id, false, false, 100)
            .await
            .unwrap()
            .is_empty()
    );
    let all = s
        .registry_events_to_review(o.id, true, false, 100)
        .await
        .unwrap();
    assert_eq!(all[0].reviewed_by.as_deref(), Some("resp"));
    assert_eq!(all[0].reviewed_at_us, Some(42));
    // Reviewing twice is refused; closing the matter hides the person's events.
    assert!(
        s.review_registry_event(
            o.id,
            listed[0].id,
            43,
            "x",
            &at.audit("x", "x", None, "x".into())
        )
        .await
        .is_err()
    );
    let closed = s
        .close_matter(
            o.id,
            "cartella",
            case,
            50,
            &at.audit("matter.close", "case_file", Some(case), "chiusa".into()),
        )
        .await
        .unwrap();
    assert_eq!(closed, 1);
    assert!(
        s.registry_events_to_review(o.id, true, false, 100)
            .await
            .unwrap()
            .is_empty()
    );
    // Every person's events, open matter or not: Mario's move and Pia's emigration.
    let every: Vec<RegistryEventKind> = s
        .registry_events_to_review(o.id, true, true, 100)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert!(
        every.contains(&RegistryEventKind::AddressChange),
        "{every:?}"
    );
    assert!(every.contains(&RegistryEventKind::MoveOut), "{every:?}");
}

async fn an_older_list_or_a_foreign_comune_is_refused(s: &app::Store) {
    let o = org(s).await;
    import(s, &o, &csv(&[MARIO]), date!(2026 - 10 - 01)).await;
    let old = import_file(
        s,
        o.id,
        bergamo(),
        "a.csv",
        &csv(&[MARIO]),
        Some(date!(2026 - 09 - 01)),
        &system(&o),
        TODAY,
        None,
    )
    .await;
    assert!(
        matches!(&old, Err(app::Error::BadRequest(m)) if m.contains("precedente")),
        "{old:?}"
    );
    let milano = import_file(
        s,
        o.id,
        BelfioreCode::new("F205").unwrap(),
        "a.csv",
        &csv(&[MARIO]),
        None,
        &system(&o),
        TODAY,
        None,
    )
    .await;
    assert!(matches!(milano, Err(app::Error::BadRequest(_))));
    let unreadable = import_file(
        s,
        o.id,
        bergamo(),
        "a.csv",
        b"id_anpr;cognome\n1;X\n",
        None,
        &system(&o),
        TODAY,
        None,
    )
    .await;
    assert!(
        matches!(&unreadable, Err(app::Error::BadRequest(m)) if m.contains("nome")),
        "{unreadable:?}"
    );
    assert_eq!(s.list_registry_imports(o.id, 10).await.unwrap().len(), 1);
}

async fn the_example_files_import(s: &app::Store) {
    let o = org(s).await;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/examples");
    let csv_file = std::fs::read(format!("{dir}/anagrafe-A794.csv")).unwrap();
    let r = import(s, &o, &csv_file, date!(2026 - 11 - 01)).await;
    assert_eq!(r.import.rejected, 0, "{:?}", r.rejections);
    assert_eq!(r.import.rows_read, r.import.created);
    assert!(r.import.rows_read >= 10);
    let json_file = std::fs::read(format!("{dir}/anagrafe-A794.json")).unwrap();
    let r = import_file(
        s,
        o.id,
        bergamo(),
        "anagrafe-A794.json",
        &json_file,
        None,
        &system(&o),
        TODAY,
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.import.reference_date, date!(2026 - 11 - 01));
    assert_eq!(r.import.rejected, 0, "{:?}", r.rejections);
    assert_eq!((r.import.created, r.import.updated), (0, 0));
    assert_eq!(r.import.unchanged, r.import.rows_read);
}

// ---- pages ----

async fn upload(
    c: &mut Client,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> support::Response {
    c.upload("/anagrafe/import", fields, file).await
}

#[tokio::test]
async fn a_manager_uploads_a_file_and_reads_the_report() {
    let app = support::app().await;
    let mut resp = support::staff(
        &app,
        "comune-bg",
        "016024",
        "resp.bg",
        domain::Role::Responsabile,
    )
    .await;
    let page = resp.get("/anagrafe/import").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Bergamo (BG) – A794"));
    // A file over the general 1 MiB limit is accepted here (an unknown column is ignored).
    let padding = "x".repeat(1_500_000);
    let text = format!(
        "{HEADER};note\n{MARIO};{padding}\n{ANNA};\n1010;;Verdi;Lia;X;1990-01-01;A794;IT;;;Via Roma 3;;F3;1;\n"
    );
    let r = upload(
        &mut resp,
        &[("comune", "A794"), ("data_riferimento", "01/10/2026")],
        Some(("anagrafe.csv", text.as_bytes())),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let report = resp.get(r.location()).await;
    assert_eq!(report.status, StatusCode::OK);
    // Who ran it, by name rather than login.
    assert!(
        report.text(".sp-dl").contains("da Operatore resp.bg"),
        "{}",
        report.body
    );
    assert_eq!(report.text("#righe-lette").trim(), "3");
    assert_eq!(report.text("#nuove").trim(), "2");
    assert_eq!(report.text("#scartate").trim(), "1");
    assert!(report.text("#scarti").contains("sesso"), "{}", report.body);
    assert!(report.body.contains("Import completato"), "flash shown");
    let list = resp.get("/anagrafe/import").await;
    assert!(list.body.contains("anagrafe.csv"));
    // A form without the file is shown again with the error.
    let r = upload(&mut resp, &[("comune", "A794")], None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("scegliere il file"), "{}", r.body);
    // An unreadable file: the error names the missing column, nothing recorded.
    let r = upload(
        &mut resp,
        &[("comune", "A794")],
        Some(("x.csv", b"id_anpr;cognome\n1;Rossi\n")),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("«nome»"), "{}", r.body);
    // Elsewhere the general limit still holds.
    let big = resp.post("/login", &[("login", &padding)]).await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn the_counter_operator_may_not_import() {
    let app = support::app().await;
    let mut op = support::staff(
        &app,
        "comune-bg",
        "016024",
        "op.bg",
        domain::Role::OperatoreSportello,
    )
    .await;
    assert_eq!(
        op.get("/anagrafe/import").await.status,
        StatusCode::FORBIDDEN
    );
    let file = csv(&[MARIO]);
    let r = upload(&mut op, &[("comune", "A794")], Some(("a.csv", &file))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let o = app
        .store
        .get_org_by_code(&domain::OrgCode::parse("comune-bg").unwrap())
        .await
        .unwrap();
    assert!(
        app.store
            .list_registry_imports(o.id, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn events_to_review_are_listed_and_marked_verified() {
    let app = support::app().await;
    let mut resp = support::staff(
        &app,
        "comune-bg",
        "016024",
        "resp.bg",
        domain::Role::Responsabile,
    )
    .await;
    let o = app
        .store
        .get_org_by_code(&domain::OrgCode::parse("comune-bg").unwrap())
        .await
        .unwrap();
    import(&app.store, &o, &csv(&[MARIO, ANNA]), date!(2026 - 10 - 01)).await;
    let mario = app
        .store
        .find_person_by_cf(o.id, "RSSMRA80A01A794J")
        .await
        .unwrap();
    app.store
        .open_matter(
            &OpenMatter {
                id: Uuid::now_v7(),
                org_id: o.id,
                person_id: mario.id,
                kind: "domanda".into(),
                ref_id: Uuid::now_v7(),
                opened_at_us: 1,
                closed_at_us: None,
            },
            &system(&o).audit("matter.open", "application", None, "aperta".into()),
        )
        .await
        .unwrap();
    let page = resp.get("/anagrafe/eventi").await;
    assert!(page.body.contains("Nessun evento"), "{}", page.body);
    let next = csv(&[
        "1001;RSSMRA80A01A794J;Rossi;Mario;M;1980-01-01;A794;IT;2;2026-10-30;Via Roma 1;2010-05-01;F1;1",
        ANNA,
    ]);
    import(&app.store, &o, &next, date!(2026 - 11 - 01)).await;
    let page = resp.get("/anagrafe/eventi").await;
    assert_eq!(page.status, StatusCode::OK);
    let table = page.text("#eventi");
    assert!(
        table.contains("Rossi Mario") && table.contains("decesso"),
        "{table}"
    );
    assert!(!table.contains("Bianchi"));
    let event = app
        .store
        .registry_events_to_review(o.id, false, false, 10)
        .await
        .unwrap();
    let r = resp
        .post(&format!("/anagrafe/eventi/{}/verificato", event[0].id), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = resp.get("/anagrafe/eventi").await;
    assert!(page.body.contains("Nessun evento"), "{}", page.body);
    let page = resp.get("/anagrafe/eventi?tutti=1").await;
    assert!(
        page.text("#eventi")
            .contains("verificato da Operatore resp.bg"),
        "{}",
        page.body
    );
    // The person's page lists the event with its review.
    let person = resp.get(&format!("/persone/{}", mario.id)).await;
    let events = person.text("h2#eventi + .sp-table-wrap");
    assert!(
        events.contains("decesso")
            && events.contains("30/10/2026")
            && events.contains("verificato da Operatore resp.bg"),
        "{events}"
    );
    let audited = app
        .store
        .count_audit(&AuditFilter {
            org_id: Some(o.id),
            action_prefix: Some("anagrafe.evento.verificato".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(audited, 1);
}

/// Makes the migrated database at `url` refuse the person with registry id 1003 (Luca): a
/// trigger, added over a connection of the test's own, makes that row's batch fail as a full
/// disk or a lost server would.
async fn refuse_luca(url: &str) {
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::raw_sql(
            "CREATE TRIGGER refuse_luca BEFORE INSERT ON person WHEN NEW.registry_id = '1003'
             BEGIN SELECT RAISE(ABORT, 'rifiutata per prova'); END",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::raw_sql(
            "CREATE FUNCTION refuse_luca() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
                 IF NEW.registry_id = '1003' THEN RAISE EXCEPTION 'rifiutata per prova'; END IF;
                 RETURN NEW;
             END $$;
             CREATE TRIGGER refuse_luca BEFORE INSERT ON person
                 FOR EACH ROW EXECUTE FUNCTION refuse_luca();",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
}

/// Batches are written while the next is prepared; when one fails the import stops there, is
/// recorded as failed with the batches before it counted, and nothing after it is written.
async fn a_failed_batch_stops_the_import_after_the_batches_before_it(url: &str) {
    let s = app::open_store(url, store::conformance::test_key())
        .await
        .unwrap();
    refuse_luca(url).await;
    let o = org(&s).await;
    let file = csv(&[MARIO, ANNA, LUCA, PIA]);
    let r = import_file(
        &s,
        o.id,
        bergamo(),
        "anagrafe.csv",
        &file,
        Some(date!(2026 - 10 - 01)),
        &system(&o),
        TODAY,
        Some(1),
    )
    .await
    .unwrap();
    assert_eq!(r.import.status, ImportStatus::Failed);
    assert_eq!(r.import.created, 2, "Mario and Anna, one batch each");
    let error = r.import.error.clone().unwrap_or_default();
    assert!(
        error.contains("nessuna di esse è stata modificata"),
        "{error}"
    );
    let mut stored: Vec<String> = s
        .registry_persons(o.id, "A794")
        .await
        .unwrap()
        .into_iter()
        .filter_map(|p| p.person.registry.map(|l| l.id))
        .collect();
    stored.sort();
    assert_eq!(stored, ["1001", "1002"], "Luca refused, Pia never written");
    let stored = s.get_registry_import(o.id, r.import.id).await.unwrap();
    assert_eq!((stored.status, stored.created), (ImportStatus::Failed, 2));
}

mod failing_batch {
    #[tokio::test]
    async fn sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/t.db", dir.path().display());
        super::a_failed_batch_stops_the_import_after_the_batches_before_it(&url).await;
    }

    #[tokio::test]
    async fn postgres() {
        if let Some(url) = store_postgres::testing::fresh_url().await {
            super::a_failed_batch_stops_the_import_after_the_batches_before_it(&url).await;
        }
    }
}
