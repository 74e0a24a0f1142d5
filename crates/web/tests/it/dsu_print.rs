//! The DSU printed, on SQLite and PostgreSQL: the declaration as typed with the art. 76
//! warning and the signature boxes, "Come è calcolato il tuo ISEE" with the figures, both
//! guarded and logged like the DSU's page; and snapshots of both documents' text.
//!
//! The snapshots need no fixed clock: the DSU is the engine's example, dated 25/02/2026 and
//! never signed, and neither document prints the day it is printed.

use crate::api::post;
use crate::dsu::{audit, esposito, example, open_dsu, outsiders};
use crate::istanze_fixtures::{assert_redirect, office};
use crate::snapshots::pdf_text;
use crate::support::{Client, api_token, app};
use axum::http::{StatusCode, header};
use domain::dates::format_date;
use domain::localtime::today;
use domain::money::Money;
use serde_json::Value;
use web::AppState;

on_both!(
    a_filled_dsu_prints_as_typed_with_the_warning_and_the_signature_boxes,
    an_incomplete_draft_prints_as_not_to_be_signed_with_its_errors_and_without_a_calculation,
    other_organizations_and_roles_without_the_permission_cannot_print_a_dsu,
);

/// The Esposito family's DSU of the engine's example, sent through the API by the counter's
/// operator: the operator, the DSU's path and its provisional ISEE in cents.
async fn filled(state: &AppState) -> (Client, String, i64) {
    let (_resp, mut op) = office(state).await;
    esposito(&mut op).await;
    let token = api_token(&mut op).await;
    let body: Value = serde_json::from_str(&example()).unwrap();
    let created = post(state, &token, "/api/v1/dsu", &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let json = created.json();
    let id = json["id"].as_str().unwrap();
    (
        op,
        format!("/dsu/{id}"),
        json["isee_cents"].as_i64().unwrap(),
    )
}

/// `text` with every run of white space (line ends, non-breaking spaces) as one space.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The PDF's text, squashed: wrapped lines read on.
async fn printed(c: &mut Client, path: &str) -> String {
    let r = c.get(path).await;
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    let disposition = r.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.starts_with("inline; filename=\""),
        "{disposition}"
    );
    squash(&pdf_text(&r))
}

async fn a_filled_dsu_prints_as_typed_with_the_warning_and_the_signature_boxes(state: AppState) {
    let (mut op, dsu, isee_cents) = filled(&state).await;
    let views = audit(&state, "dsu.view").await.len();

    let text = printed(&mut op, &format!("{dsu}/stampa")).await;
    for expected in [
        "DSU – Dichiarazione Sostitutiva Unica",
        "Dichiarante Esposito Andrea",
        "SPSNDR82H15F205V",
        "Data della DSU 25/02/2026",
        // Quadro A with the FC1 codes, every member.
        "C – coniuge",
        "Romano Giulia",
        "Esposito Chiara",
        // The declarant's account, in Italian form as the counter shows it.
        "15.000,00",
        "Dichiarazione sostitutiva",
        "articoli 46 e 47 del DPR 445/2000",
        "Chiunque rilascia dichiarazioni mendaci, forma atti falsi o ne fa uso nei casi previsti dal presente testo unico è punito ai sensi del codice penale e delle leggi speciali in materia.",
        "Regolamento (UE) 2016/679",
        "Luogo e data",
        "Firma del dichiarante",
        "L'operatore che riceve la dichiarazione",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    assert!(
        !text.contains("BOZZA"),
        "a complete draft is printed for the signature: {text}"
    );

    let calc = printed(&mut op, &format!("{dsu}/calcolo.pdf")).await;
    for expected in [
        "Come è calcolato il tuo ISEE",
        "Dichiarante Esposito Andrea",
        squash(&Money(isee_cents).format()).as_str(),
        "Passo per passo: ISEE ordinario",
        "Nucleo considerato: 5 componenti",
        "L'ISEE valido è soltanto quello dell'attestazione rilasciata dall'INPS",
    ] {
        assert!(calc.contains(expected), "{expected}: {calc}");
    }
    assert_eq!(
        audit(&state, "dsu.view").await.len(),
        views + 2,
        "each print is a logged read"
    );

    // Signed: the state and the day of the signature are on the paper.
    let day = format_date(today(state.clock.now()));
    let r = op
        .post(
            &format!("{dsu}/stato"),
            &[("azione", "firma"), ("data_firma", &day), ("version", "1")],
        )
        .await;
    assert_redirect(&r);
    let text = printed(&mut op, &format!("{dsu}/stampa")).await;
    assert!(
        text.contains(&format!("firmata dal dichiarante (firma del {day})")),
        "{text}"
    );
    let page = op.get(&dsu).await;
    assert!(page.text("#stampa").contains("Stampa la DSU"));
    assert!(page.text("#stampa").contains("Stampa il calcolo"));
}

async fn an_incomplete_draft_prints_as_not_to_be_signed_with_its_errors_and_without_a_calculation(
    state: AppState,
) {
    let (_resp, mut op) = office(&state).await;
    let head = esposito(&mut op).await;
    let pid = head.trim_start_matches("/persone/").to_owned();
    let dsu = open_dsu(&mut op, &pid, &format_date(today(state.clock.now()))).await;

    let text = printed(&mut op, &format!("{dsu}/stampa")).await;
    for expected in [
        "BOZZA – non valida per la firma",
        "MB.1 quadro B – casa di abitazione e nucleo Quadro non ancora compilato.",
        "Nulla da dichiarare.",
        "Firma del dichiarante",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    // A wrong value is printed as typed, with what is wrong beside its quadro.
    let r = op
        .post(
            &format!("{dsu}/quadri/fc2:{pid}"),
            &[
                ("version", "1"),
                ("r.0.tipo", "01"),
                ("r.0.saldo", "12.000,0x"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let text = printed(&mut op, &format!("{dsu}/stampa")).await;
    for expected in [
        "BOZZA – non valida per la firma",
        "Rapporto 1 Tipo di rapporto 01 conto corrente Saldo al 31/12 (€) 12.000,0x",
        "Da correggere: Saldo al 31/12 (€): «12.000,0x» non è un importo valido",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }

    let r = op.get(&format!("{dsu}/calcolo.pdf")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("non è ancora completa"), "{}", r.body);
    let page = op.get(&dsu).await;
    assert!(page.text("#stampa").contains("Stampa la DSU"));
    assert!(!page.text("#stampa").contains("Stampa il calcolo"));
}

async fn other_organizations_and_roles_without_the_permission_cannot_print_a_dsu(state: AppState) {
    let (_op, dsu, _) = filled(&state).await;
    let (mut money, mut other) = outsiders(&state).await;
    for document in ["stampa", "calcolo.pdf"] {
        let path = format!("{dsu}/{document}");
        assert_eq!(money.get(&path).await.status, StatusCode::FORBIDDEN);
        assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn the_printed_dsu_and_its_calculation() {
    let state = app().await;
    let (mut op, dsu, _) = filled(&state).await;
    let r = op.get(&format!("{dsu}/stampa")).await;
    insta::assert_snapshot!("dsu_declaration", pdf_text(&r));
    let r = op.get(&format!("{dsu}/calcolo.pdf")).await;
    insta::assert_snapshot!("dsu_calculation", pdf_text(&r));
}
