//! The DSU at the counter, on SQLite and PostgreSQL: a family registered with its famiglia
//! anagrafica, its DSU sent as the engine's JSON and computed as `sportello isee calc`
//! computes it; a DSU typed quadro by quadro with errors beside their fields, signed and
//! corrected; who may not reach it.

use crate::api::{Answer, call, get, post};
use crate::istanze_fixtures::{assert_redirect, office};
use crate::support::{Client, api_token, staff};
use axum::http::{Method, StatusCode};
use domain::Role;
use domain::dates::format_date;
use domain::localtime::today;
use serde_json::Value;
use store::{AuditFilter, AuditStore};
use web::AppState;

on_both!(
    a_dsu_sent_as_the_engine_json_joins_the_registry_and_computes_as_the_command_line,
    a_dsu_is_typed_quadro_by_quadro_with_errors_beside_their_fields_signed_and_corrected,
    other_organizations_and_roles_without_the_permission_cannot_reach_a_dsu,
    an_isee_corrente_updates_a_signed_dsu_with_the_modulo_sostitutivo_for_six_months,
    an_attestation_expiring_under_planned_deliveries_is_listed_and_its_worker_told_once,
);

const EXAMPLE: &str = include_str!("../../../../docs/isee/famiglia-mutuo-casa.json");

/// The example's codici fiscali end in a check character the engine does not verify; the
/// registry does: these are the same codes with the right one.
const CODES: [(&str, &str); 5] = [
    ("SPSNDR82H15F205J", "SPSNDR82H15F205V"),
    ("RMNGLI84M55F205E", "RMNGLI84M55F205K"),
    ("SPSLNE08L50F205F", "SPSLNE08L50F205M"),
    ("SPSMTT13P05F205G", "SPSMTT13P05F205W"),
    ("SPSCHR19T60F205H", "SPSCHR19T60F205Y"),
];

pub(crate) fn example() -> String {
    CODES.iter().fold(EXAMPLE.to_owned(), |text, (old, new)| {
        text.replace(old, new)
    })
}

/// Registers a person at the counter; their page's path.
async fn register(
    op: &mut Client,
    cf: &str,
    surname: &str,
    name: &str,
    sex: &str,
    born: &str,
) -> String {
    let r = op
        .post(
            "/persone/nuova",
            &[
                ("codice_fiscale", cf),
                ("surname", surname),
                ("given_names", name),
                ("sex", sex),
                ("birth_date", born),
                ("birthplace", "F205"),
                ("citizenship", "IT"),
                ("residence_istat", "016024"),
                ("cf_mismatch_confirmed", "1"),
            ],
        )
        .await;
    assert_redirect(&r);
    r.location().to_owned()
}

/// The Esposito family of the engine's example, in one registry household since 2020: the
/// declarant's page's path.
pub(crate) async fn esposito(op: &mut Client) -> String {
    let head = register(
        op,
        "SPSNDR82H15F205V",
        "Esposito",
        "Andrea",
        "M",
        "15/06/1982",
    )
    .await;
    let r = op
        .post(&format!("{head}/famiglia"), &[("from_date", "01/01/2020")])
        .await;
    assert_redirect(&r);
    let family = r.location().to_owned();
    for (cf, surname, name, sex, born, rel) in [
        (
            "RMNGLI84M55F205K",
            "Romano",
            "Giulia",
            "F",
            "15/08/1984",
            "2",
        ),
        (
            "SPSLNE08L50F205M",
            "Esposito",
            "Elena",
            "F",
            "10/07/2008",
            "3",
        ),
        (
            "SPSMTT13P05F205W",
            "Esposito",
            "Matteo",
            "M",
            "05/09/2013",
            "3",
        ),
        (
            "SPSCHR19T60F205Y",
            "Esposito",
            "Chiara",
            "F",
            "20/12/2019",
            "3",
        ),
    ] {
        register(op, cf, surname, name, sex, born).await;
        let r = op
            .post(
                &format!("{family}/componenti"),
                &[
                    ("codice_fiscale", cf),
                    ("relationship", rel),
                    ("from_date", "01/01/2020"),
                ],
            )
            .await;
        assert_redirect(&r);
    }
    head
}

async fn a_dsu_sent_as_the_engine_json_joins_the_registry_and_computes_as_the_command_line(
    state: AppState,
) {
    let (_resp, mut op) = office(&state).await;
    esposito(&mut op).await;
    let token = api_token(&mut op).await;
    let text = example();
    let body: Value = serde_json::from_str(&text).unwrap();
    let created = post(&state, &token, "/api/v1/dsu", &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(created.location, format!("/api/v1/dsu/{id}"));
    assert_eq!(created.json()["complete"], true, "{}", created.body);
    assert_eq!(created.json()["state"], "bozza");

    // The same figures, line by line, as `sportello isee calc` on the same file.
    let calc = get(&state, &token, &format!("/api/v1/dsu/{id}/calcolo")).await;
    assert_eq!(calc.status, StatusCode::OK, "{}", calc.body);
    let mut cli = Vec::new();
    isee::cli::calc(&mut text.as_bytes(), &mut cli).unwrap();
    let cli: Value = serde_json::from_slice(&cli).unwrap();
    assert_eq!(calc.json(), cli);
    assert_eq!(
        created.json()["isee_cents"].as_i64(),
        Some(decimal_cents(&cli["isee"]))
    );

    // Read back: the engine's JSON again, the nucleo of five, protocol kept.
    let read = get(&state, &token, &format!("/api/v1/dsu/{id}")).await;
    let dsu = &read.json()["dsu"];
    assert_eq!(
        dsu["mb1"]["quadro_a"]["componenti"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(dsu["protocollo"], "INPS-ISEE-2026-00000707H-00");
    assert_eq!(
        dsu["fc1"][0]["quadro_fc2"]["rapporti"][0]["saldo"],
        "15000.00"
    );

    // A component the registry does not know is named at its path; nothing is saved.
    let mut stranger = body.clone();
    stranger["mb1"]["quadro_a"]["componenti"][4]["codice_fiscale"] = "BNCNNA82B45A794U".into();
    let r = post(&state, &token, "/api/v1/dsu", &stranger).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.fields(), ["mb1.quadro_a.componenti[4].codice_fiscale"]);
    // A wrong amount is named at its JSON path.
    let mut wrong = body.clone();
    wrong["fc1"][0]["quadro_fc2"]["rapporti"][0]["saldo"] = "-3".into();
    let r = post(&state, &token, "/api/v1/dsu", &wrong).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.fields(), ["fc1[0].quadro_fc2.rapporti[0].saldo"]);

    // PUT replaces the draft's content: a second account's balance changes the ISEE.
    let mut richer = body.clone();
    richer["fc1"][0]["quadro_fc2"]["rapporti"][0]["saldo"] = "65000.00".into();
    richer["fc1"][0]["quadro_fc2"]["rapporti"][0]["giacenza_media"] = "60000.00".into();
    let r = call(
        &state,
        Method::PUT,
        &format!("/api/v1/dsu/{id}"),
        Some(&token),
        Some(("application/json", &richer.to_string())),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["isee_cents"].as_i64() > created.json()["isee_cents"].as_i64());
    assert_eq!(r.json()["version"], 2);

    let log = audit(&state, "dsu.").await;
    assert!(log.contains(&"dsu.create".to_owned()), "{log:?}");
    assert!(log.contains(&"dsu.update".to_owned()), "{log:?}");
}

fn decimal_cents(v: &Value) -> i64 {
    let d: rust_decimal::Decimal = v.as_str().unwrap().parse().unwrap();
    (d * rust_decimal::Decimal::ONE_HUNDRED).try_into().unwrap()
}

/// The audit actions written so far that start with `prefix`, after the read log's flush.
pub(crate) async fn audit(state: &AppState, prefix: &str) -> Vec<String> {
    state.reads.flush().await;
    state
        .store
        .list_audit(&AuditFilter {
            action_prefix: Some(prefix.into()),
            limit: 1000,
            ..AuditFilter::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect()
}

/// Opens an ordinary DSU of the person `pid` dated `day` through the pages: its path.
pub(crate) async fn open_dsu(op: &mut Client, pid: &str, day: &str) -> String {
    let r = op
        .post(
            "/dsu/nuova",
            &[
                ("persona", pid),
                ("dsu_date", day),
                ("variant", "ordinario"),
                ("prestazione", "altra"),
            ],
        )
        .await;
    assert_redirect(&r);
    r.location().to_owned()
}

/// The counter's evaluation of the stored DSU `id`.
async fn evaluation(state: &AppState, id: &str) -> app::dsu::Evaluation {
    use store::DsuStore;
    let org = crate::istanze_fixtures::org_id(state).await;
    let id = uuid::Uuid::parse_str(id).unwrap();
    let rec = state.store.get_dsu(org, id).await.unwrap();
    let members = state.store.dsu_members(org, id).await.unwrap();
    let draft = app::dsu::Draft::parse(&rec.quadri).unwrap();
    app::dsu::evaluate(&rec, &members, &draft)
}

/// The ordinary ISEE's figures the counter computed for the stored DSU `id`.
async fn figures(state: &AppState, id: &str) -> app::dsu::Figures {
    evaluation(state, id)
        .await
        .main("ordinario")
        .unwrap()
        .clone()
}

/// The stored DSU `id` as the engine's JSON.
async fn stored_input(state: &AppState, id: &str) -> Value {
    serde_json::to_value(evaluation(state, id).await.input.unwrap()).unwrap()
}

/// Records, on the declarant's page, INPS's attestation with figures `f` for 5 members; its id.
async fn record_attestation(
    state: &AppState,
    op: &mut Client,
    person: &str,
    protocol: &str,
    f: &app::dsu::Figures,
    omissioni: bool,
) -> String {
    use domain::money::Money;
    let submitted = format_date(today(state.clock.now()));
    let r = op
        .post(
            &format!("{person}/isee"),
            &[
                ("protocol", protocol),
                ("submitted_on", &submitted),
                ("variant", "ordinario"),
                ("isee", &Money(f.isee).format_plain()),
                ("ise", &Money(f.ise).format_plain()),
                ("isr", &Money(f.isr).format_plain()),
                ("isp", &Money(f.isp).format_plain()),
                ("scala", &f.scala),
                ("members", "5"),
                ("omissioni", if omissioni { "on" } else { "" }),
            ],
        )
        .await;
    assert_redirect(&r);
    let org = crate::istanze_fixtures::org_id(state).await;
    let pid = uuid::Uuid::parse_str(person.trim_start_matches("/persone/")).unwrap();
    use store::BenefitStore;
    state
        .store
        .person_attestations(org, pid)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.data.protocol.as_str() == protocol)
        .unwrap()
        .id
        .to_string()
}

/// Records the declarant's signature of the DSU at `dsu` (its path) on `day`.
async fn sign(op: &mut Client, dsu: &str, day: &str, version: i64) {
    let version = version.to_string();
    let r = op
        .post(
            &format!("{dsu}/stato"),
            &[
                ("azione", "firma"),
                ("data_firma", day),
                ("version", &version),
            ],
        )
        .await;
    assert_redirect(&r);
}

fn id_of(location: &str) -> String {
    location.trim_start_matches("/dsu/").to_owned()
}

async fn a_dsu_is_typed_quadro_by_quadro_with_errors_beside_their_fields_signed_and_corrected(
    state: AppState,
) {
    let (_resp, mut op) = office(&state).await;
    let head = esposito(&mut op).await;
    let pid = head.trim_start_matches("/persone/").to_owned();
    let day = format_date(today(state.clock.now()));
    let form = op.get(&format!("/dsu/nuova?persona={pid}")).await;
    assert_eq!(form.status, StatusCode::OK);
    // A future date is named at its field.
    let r = op
        .post(
            "/dsu/nuova",
            &[
                ("persona", &pid),
                ("dsu_date", "01/01/2999"),
                ("variant", "ordinario"),
                ("prestazione", "altra"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text(".sp-error-summary").contains("Data della DSU"));
    let dsu = open_dsu(&mut op, &pid, &day).await;
    let id = id_of(&dsu);

    // The nucleo starts from the famiglia anagrafica, beside it on the page.
    let page = op.get(&dsu).await;
    assert_eq!(page.status, StatusCode::OK);
    for name in [
        "Romano Giulia",
        "Esposito Elena",
        "Esposito Matteo",
        "Esposito Chiara",
    ] {
        assert!(page.body.contains(name), "{name}: {}", page.body);
    }
    assert!(page.body.contains("C – coniuge"), "the spouse's FC1 code");
    assert!(page.text("#quadri").contains("da compilare"));

    // Quadro B: a wrong rent is named beside its field, and what was typed is kept.
    let quadro_b = format!("{dsu}/quadri/b");
    let r = op
        .post(
            &quadro_b,
            &[
                ("version", "1"),
                ("f.casa_abitazione", "locazione"),
                ("f.locazione.intestatario", "SPSNDR82H15F205V"),
                ("f.locazione.data_registrazione", "01/03/2020"),
                ("f.locazione.estremi_registrazione", "3T 1234 Milano"),
                ("f.locazione.canone_annuo", "9.600,5x"),
                ("f.genitori_lavoratori", "1"),
                ("f.numero_figli", "3"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.text("#f-locazione-canone_annuo-err")
            .contains("Canone annuo (€): «9.600,5x» non è un importo valido"),
        "{}",
        r.text("#f-locazione-canone_annuo-err")
    );
    let again = op.get(&quadro_b).await;
    assert!(
        again.body.contains("9.600,5x"),
        "the draft keeps what was typed"
    );

    // The autosave answers in JSON with the new version and no errors once fixed.
    let saved = op
        .send(
            axum::http::Request::post(&quadro_b)
                .header("accept", "application/json")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", "http://localhost")
                .header("sec-fetch-site", "same-origin")
                .body(axum::body::Body::from(
                    "version=2&f.casa_abitazione=locazione&f.locazione.intestatario=SPSNDR82H15F205V&f.locazione.data_registrazione=01%2F03%2F2020&f.locazione.estremi_registrazione=3T+1234&f.locazione.canone_annuo=9.600%2C00&f.genitori_lavoratori=1&f.numero_figli=3",
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let saved: Value = serde_json::from_str(&saved.body).unwrap();
    assert_eq!(saved["version"], 3);
    assert_eq!(saved["errors"], serde_json::json!({}));
    // The quadro was the only one required: the ordinary ISEE is computed already.
    assert!(
        saved["figures"][0][1].as_str().unwrap().ends_with('€'),
        "{saved}"
    );

    // The declarant's accounts: two rows of FC2, Italian amounts.
    let fc2 = format!("{dsu}/quadri/fc2:{pid}");
    let r = op
        .post(
            &fc2,
            &[
                ("version", "3"),
                ("r.0.tipo", "01"),
                ("r.0.saldo", "12.000,00"),
                ("r.0.giacenza_media", "10.000"),
                ("r.1.tipo", "03"),
                ("r.1.postale", "1"),
                ("r.1.saldo", "4.000,00"),
                ("r.1.giacenza_media", "4.000,00"),
                ("r.1.titoli_di_stato", "4.000,00"),
                ("r.1.quota", "50.5"),
                ("azione", "avanti"),
            ],
        )
        .await;
    assert_redirect(&r);
    // "Salva e vai avanti" goes to the declarant's next quadro.
    assert_eq!(r.location(), format!("{dsu}/quadri/fc3:{pid}"));
    // A share typed with a dot is 50,5 %, not 505 %.
    let input = stored_input(&state, &id).await;
    assert_eq!(
        input["fc1"][0]["quadro_fc2"]["rapporti"][1]["quota"],
        "50.5"
    );
    let page = op.get(&dsu).await;
    assert!(page.body.contains("Calcolo provvisorio"));
    assert!(
        page.text("#calcolo").contains("ISEE"),
        "{}",
        page.text("#calcolo")
    );

    // Signed on the model; after that nothing changes but by a new DSU.
    sign(&mut op, &dsu, &day, 4).await;
    assert!(op.get(&dsu).await.body.contains("firmata dal dichiarante"));
    let r = op
        .post(
            &quadro_b,
            &[("version", "5"), ("f.casa_abitazione", "altro")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = op
        .post(
            &format!("{dsu}/stato"),
            &[
                ("azione", "trasmetti"),
                ("protocollo", "INPS-ISEE-2026-00000001A-00"),
                ("version", "5"),
            ],
        )
        .await;
    assert_redirect(&r);
    // INPS's attestation with the same figures: linked, compared, no difference.
    let ours = figures(&state, &id).await;
    let protocol = "INPS-ISEE-2026-00000001A-00";
    let first = record_attestation(&state, &mut op, &head, protocol, &ours, false).await;
    let r = op
        .post(
            &format!("{dsu}/stato"),
            &[
                ("azione", "attesta"),
                ("attestazione", &first),
                ("version", "6"),
            ],
        )
        .await;
    assert_redirect(&r);
    let page = op.get(&dsu).await;
    assert!(
        page.text("h1").contains("attestata dall'INPS"),
        "{}",
        page.text("h1")
    );
    assert!(
        page.text("#confronto").contains("Nessuna differenza"),
        "{}",
        page.text("#confronto")
    );

    let r = op.post(&format!("{dsu}/correzione"), &[]).await;
    assert_redirect(&r);
    let correction = r.location().to_owned();
    assert_ne!(correction, dsu);
    sign(&mut op, &correction, &day, 1).await;
    assert!(
        op.get(&dsu)
            .await
            .body
            .contains("sostituita da una DSU successiva")
    );

    // The correction's attestation found 1.000 € more income than declared: the comparison
    // names the incomes, and the omission INPS flagged.
    let mut more = ours;
    more.isr += 100_000;
    more.ise += 100_000;
    let scala: rust_decimal::Decimal = more.scala.replace(',', ".").parse().unwrap();
    let isee = (rust_decimal::Decimal::new(more.ise, 2) / scala)
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    more.isee = i64::try_from(isee * rust_decimal::Decimal::ONE_HUNDRED).unwrap();
    let second = record_attestation(
        &state,
        &mut op,
        &head,
        "INPS-ISEE-2026-00000002B-00",
        &more,
        true,
    )
    .await;
    let r = op
        .post(
            &format!("{correction}/stato"),
            &[
                ("azione", "attesta"),
                ("attestazione", &second),
                ("version", "2"),
            ],
        )
        .await;
    assert_redirect(&r);
    // The declarant's page: the attestation in force (the newest of the variant), the DSUs.
    let person = op.get(&head).await;
    assert!(
        person.text("main").contains("INPS-ISEE-2026-00000002B-00"),
        "{}",
        person.text("#dsu")
    );
    let page = op.get(&correction).await;
    let cmp = page.text("#confronto");
    assert!(cmp.contains("3 valori diversi"), "{cmp}");
    assert!(cmp.contains("differenza di 1.000,00"), "{cmp}");
    assert!(cmp.contains("FC4 e FC8"), "{cmp}");
    assert!(cmp.contains("omissioni o difformità"), "{cmp}");
    let list = op.get("/dsu").await;
    assert!(list.body.contains(&id));

    let log = audit(&state, "dsu.").await;
    for action in ["dsu.create", "dsu.update", "dsu.state", "dsu.view"] {
        assert!(log.contains(&action.to_owned()), "{action}: {log:?}");
    }
}

/// Who may not see the office's DSU: its ragioneria (no `DsuView`) and a responsabile of
/// another organization.
pub(crate) async fn outsiders(state: &AppState) -> (Client, Client) {
    let money = staff(state, "comune-bergamo", "016024", "rag", Role::Ragioneria).await;
    let other = staff(
        state,
        "comune-milano",
        "015146",
        "altro",
        Role::Responsabile,
    )
    .await;
    (money, other)
}

async fn other_organizations_and_roles_without_the_permission_cannot_reach_a_dsu(state: AppState) {
    let (_resp, mut op) = office(&state).await;
    let head = esposito(&mut op).await;
    let pid = head.trim_start_matches("/persone/").to_owned();
    let day = format_date(today(state.clock.now()));
    let dsu = open_dsu(&mut op, &pid, &day).await;
    let id = id_of(&dsu);

    let mut caf = staff(
        &state,
        "comune-bergamo",
        "016024",
        "caf",
        Role::OperatoreCaf,
    )
    .await;
    assert_eq!(caf.get("/dsu").await.status, StatusCode::FORBIDDEN);
    assert_eq!(caf.get(&dsu).await.status, StatusCode::FORBIDDEN);
    let (mut money, mut other) = outsiders(&state).await;
    assert_eq!(money.get(&dsu).await.status, StatusCode::FORBIDDEN);
    assert_eq!(other.get(&dsu).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other.get(&format!("{dsu}/quadri/b")).await.status,
        StatusCode::NOT_FOUND
    );
    let token = api_token(&mut other).await;
    let r: Answer = get(&state, &token, &format!("/api/v1/dsu/{id}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A quadro of a person outside the nucleo does not exist.
    let stranger = uuid::Uuid::now_v7();
    assert_eq!(
        op.get(&format!("{dsu}/quadri/fc2:{stranger}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        op.post(&format!("{dsu}/quadri/fc2:{stranger}"), &[("version", "1")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        op.get(&format!("{dsu}/quadri/zz")).await.status,
        StatusCode::NOT_FOUND
    );
    // Quadro C belongs to the università variant: not to this ordinary DSU, not even by POST.
    assert_eq!(
        op.post(
            &format!("{dsu}/quadri/c"),
            &[("version", "1"), ("f.studente", "X")]
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

/// A signed ordinary DSU of the Esposito family with the declarant's income of 30.000 €: its
/// path and the declarant's id.
async fn signed_dsu(state: &AppState, op: &mut Client) -> (String, String) {
    let head = esposito(op).await;
    let pid = head.trim_start_matches("/persone/").to_owned();
    let day = format_date(today(state.clock.now()));
    let dsu = open_dsu(op, &pid, &day).await;
    let r = op
        .post(
            &format!("{dsu}/quadri/b"),
            &[("version", "1"), ("f.casa_abitazione", "altro")],
        )
        .await;
    assert_redirect(&r);
    let r = op
        .post(
            &format!("{dsu}/quadri/fc8:{pid}"),
            &[
                ("version", "2"),
                ("f.reddito_complessivo", "30.000,00"),
                ("f.di_cui_lavoro_dipendente", "30.000,00"),
            ],
        )
        .await;
    assert_redirect(&r);
    sign(op, &dsu, &day, 3).await;
    (dsu, pid)
}

async fn an_isee_corrente_updates_a_signed_dsu_with_the_modulo_sostitutivo_for_six_months(
    state: AppState,
) {
    let (_resp, mut op) = office(&state).await;
    let (dsu, pid) = signed_dsu(&state, &mut op).await;
    let on = today(state.clock.now());
    let day = format_date(on);

    // A draft cannot be updated: the ISEE corrente starts from a signed DSU.
    let draft = open_dsu(&mut op, &pid, &day).await;
    let r = op
        .post(&format!("{draft}/corrente"), &[("data_modulo", &day)])
        .await;
    assert_redirect(&r);
    assert!(r.location().ends_with("#corrente"), "{}", r.location());
    let page = op.get(&draft).await;
    assert!(
        page.text("main")
            .contains("l'ISEE corrente aggiorna una DSU firmata"),
        "{}",
        page.text("main")
    );
    // A date before the DSU's is named.
    let r = op
        .post(&format!("{dsu}/corrente"), &[("data_modulo", "01/01/2015")])
        .await;
    assert!(r.location().ends_with("#corrente"));
    assert!(
        op.get(&dsu)
            .await
            .body
            .contains("Data del modulo sostitutivo: deve essere tra il")
    );
    // Another organization and a CAF operator cannot open one.
    let (_money, mut other) = outsiders(&state).await;
    let r = other
        .post(&format!("{dsu}/corrente"), &[("data_modulo", &day)])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = op
        .post(&format!("{dsu}/corrente"), &[("data_modulo", &day)])
        .await;
    assert_redirect(&r);
    let corrente = r.location().to_owned();
    assert!(!corrente.contains('#'), "{corrente}");
    let page = op.get(&corrente).await;
    assert!(
        page.body.contains("ISEE corrente (art. 9)"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!("href=\"{dsu}\"")),
        "links its base"
    );
    // The nucleo and the base quadri are the signed DSU's: not typed again.
    assert!(!page.body.contains("Aggiungi una persona al nucleo"));
    let r = op
        .post(
            &format!("{corrente}/quadri/b"),
            &[("version", "1"), ("f.casa_abitazione", "locazione")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("solo il modulo sostitutivo"), "{}", r.body);
    let id = id_of(&corrente);
    let ev = evaluation(&state, &id).await;
    assert!(
        ev.blocking.iter().any(|b| b.contains("redditi aggiornati")),
        "{:?}",
        ev.blocking
    );

    // The declarant lost his job: the last twelve months' income replaces the year's.
    let r = op
        .post(
            &format!("{corrente}/quadri/ms:{pid}"),
            &[
                ("version", "1"),
                ("f.evento", "lavoro_indeterminato"),
                ("f.periodo", "dodici_mesi"),
                ("f.redditi_lavoro_dipendente", "6.000,00"),
            ],
        )
        .await;
    assert_redirect(&r);
    let ev = evaluation(&state, &id).await;
    assert!(ev.blocking.is_empty(), "{:?}", ev.blocking);
    let current = ev.main("corrente").expect("the ISEE corrente").clone();
    let ordinary = ev.main("ordinario").expect("the ordinary ISEE beside it");
    assert!(
        current.isr < ordinary.isr,
        "{} < {}",
        current.isr,
        ordinary.isr
    );
    assert!(current.isee < ordinary.isee);
    let six_months = time::Date::from_calendar_date(
        on.year() + i32::from(u8::from(on.month()) > 6),
        on.month().nth_next(6),
        on.day().min(time::util::days_in_month(
            on.month().nth_next(6),
            on.year() + i32::from(u8::from(on.month()) > 6),
        )),
    )
    .unwrap();
    assert_eq!(current.valid_until, six_months);
    assert_eq!(ordinary.valid_until.month(), time::Month::December);
    let page = op.get(&corrente).await;
    assert!(
        page.text("#calcolo").contains(&format_date(six_months)),
        "{}",
        page.text("#calcolo")
    );
    // A second modulo sostitutivo starts again from the signed DSU, not from this one.
    let r = op
        .post(&format!("{corrente}/corrente"), &[("data_modulo", &day)])
        .await;
    assert!(r.location().ends_with("#corrente"));

    // Signing it leaves the ordinary DSU in force beside it.
    sign(&mut op, &corrente, &day, 2).await;
    assert!(
        op.get(&dsu)
            .await
            .text("h1")
            .contains("firmata dal dichiarante")
    );

    // The reads of the DSUs are in the person's «chi ha visto» log.
    state.reads.flush().await;
    let org = crate::istanze_fixtures::org_id(&state).await;
    let seen = state
        .store
        .person_audit(org, uuid::Uuid::parse_str(&pid).unwrap(), 500, 0, None)
        .await
        .unwrap();
    assert!(
        seen.iter().any(|r| r.action == "dsu.view"),
        "{:?}",
        seen.iter().map(|r| &r.action).collect::<Vec<_>>()
    );
}

async fn an_attestation_expiring_under_planned_deliveries_is_listed_and_its_worker_told_once(
    state: AppState,
) {
    use crate::istanze_fixtures::{attest_on, file_mensa, org_id, register_rossi, upload_identity};
    use crate::smtp::{Behaviour, SmtpSink};
    use store::{OrgStore, UserStore};
    let mut state = state;
    let (mut resp, mut op) = office(&state).await;
    let person = register_rossi(&mut op).await;
    // An ISEE corrente presented almost six months ago: it expires in about three weeks.
    let on = today(state.clock.now());
    let submitted = on.saturating_sub(time::Duration::days(160));
    attest_on(
        &mut op,
        &person,
        "INPS-ISEE-2026-00099999Z-00",
        submitted,
        true,
    )
    .await;
    let org = org_id(&state).await;
    let pid = uuid::Uuid::parse_str(person.trim_start_matches("/persone/")).unwrap();
    use store::BenefitStore;
    let att = state.store.person_attestations(org, pid).await.unwrap()[0].clone();
    let until = att.data.valid_until();
    assert!(
        until > on && until <= on + time::Duration::days(30),
        "{until}"
    );
    let app = file_mensa(&state, &mut op, &person, &att.id.to_string()).await;
    upload_identity(&mut op, &app).await;
    for (to, version) in [
        ("in_istruttoria", "1"),
        ("accolta", "2"),
        ("in_erogazione", "3"),
    ] {
        let r = resp
            .post(
                &format!("{app}/stato"),
                &[("to", to), ("version", version), ("note", "")],
            )
            .await;
        assert_redirect(&r);
    }

    // The worklist of the office names the application and the days left.
    let list = op.get("/dsu/scadenze").await;
    assert_eq!(list.status, StatusCode::OK);
    let main = list.text("main");
    assert!(main.contains("Rossi Mario"), "{main}");
    assert!(main.contains("INPS-ISEE-2026-00099999Z-00"), "{main}");
    assert!(main.contains(&format_date(until)), "{main}");
    // Not another organization's, nor a CAF's.
    let (_money, mut other) = outsiders(&state).await;
    let theirs = other.get("/dsu/scadenze").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(!theirs.body.contains("Rossi Mario"));
    let mut caf = staff(
        &state,
        "comune-bergamo",
        "016024",
        "caf",
        Role::OperatoreCaf,
    )
    .await;
    assert_eq!(caf.get("/dsu/scadenze").await.status, StatusCode::FORBIDDEN);

    // The responsible worker (the responsabile who reviewed it) is told once by e-mail, with
    // the protocol and not the person's name.
    let sink = SmtpSink::start(Behaviour::Accept).await;
    assert_eq!(
        app::reminders::send_expiry_notices(&state).await.unwrap(),
        0
    );
    state.mailer = sink.mailer();
    let reviewer = state
        .store
        .get_user_by_login(&domain::Login::parse("responsabile").unwrap())
        .await
        .unwrap();
    let org_row = state.store.get_org(org).await.unwrap();
    let system = app::Actor::system(org_row, state.clock.now());
    state
        .store
        .update_profile(
            reviewer.id,
            &reviewer.full_name,
            Some("responsabile@comune.example"),
            &system.audit(
                "user.profile",
                "app_user",
                Some(reviewer.id),
                "e-mail".into(),
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        app::reminders::send_expiry_notices(&state).await.unwrap(),
        1
    );
    let got = sink.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, ["responsabile@comune.example"]);
    let body = got[0].body();
    let subject = got[0].header("Subject").unwrap_or_default();
    assert!(subject.contains(&format_date(until)), "{subject}");
    assert!(body.contains("scade il"), "{body}");
    assert!(!body.contains("Rossi"), "no name in a mailbox: {body}");
    assert_eq!(
        app::reminders::send_expiry_notices(&state).await.unwrap(),
        0
    );
    assert_eq!(sink.received().len(), 1);
    assert!(
        op.get("/dsu/scadenze")
            .await
            .text("main")
            .contains("Rossi Mario")
    );
}
