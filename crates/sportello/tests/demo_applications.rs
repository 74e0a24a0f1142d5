//! `sportello demo applications` on a real SQLite database: a population imported from the
//! registry, then the catalogue, attestations and applications in every state, written
//! through the store; the same rows for the same seed on another database; the audit chain
//! intact; a second run with the same seed refused.

#![allow(clippy::unwrap_used)] // a failed step is a failed test, helpers included

use sqlx::Row;
use std::path::Path;
use std::process::{Command, Output};

fn sportello(db: &str, args: &[&str]) -> Output {
    let mut all = vec!["--database", db];
    all.extend_from_slice(args);
    Command::new(env!("CARGO_BIN_EXE_sportello"))
        .args(&all)
        .env_remove("SPORTELLO__ADMIN__PASSWORD")
        .output()
        .expect("run sportello")
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{o:?}");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A fresh database with a comune, its operators and 800 residents.
fn comune(dir: &Path, name: &str) -> String {
    let db = format!("sqlite://{}/{name}.db", dir.display());
    ok(&sportello(&db, &["migrate"]));
    ok(&sportello(
        &db,
        &[
            "org",
            "add",
            "comune-bg",
            "--name",
            "Comune di Bergamo",
            "--kind",
            "comune",
            "--comuni",
            "016024",
        ],
    ));
    for (login, role) in [
        ("op.sportello", "operatore_sportello"),
        ("resp.servizi", "responsabile"),
    ] {
        ok(&sportello(
            &db,
            &[
                "user",
                "add",
                login,
                "--name",
                "Operatore Prova",
                "--org",
                "comune-bg",
                "--role",
                role,
            ],
        ));
    }
    let csv = dir.join(format!("{name}.csv"));
    let o = Command::new(env!("CARGO_BIN_EXE_sportello"))
        .args([
            "demo",
            "generate",
            "--persons",
            "800",
            "--seed",
            "5",
            "--out",
        ])
        .arg(&csv)
        .args(["--data", "2026-10-01"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    ok(&sportello(
        &db,
        &[
            "import",
            "anagrafe",
            csv.to_str().unwrap(),
            "--comune",
            "A794",
            "--data-riferimento",
            "2026-10-01",
        ],
    ));
    db
}

async fn query(db: &str, sql: &'static str) -> Vec<Vec<String>> {
    let pool = sqlx::SqlitePool::connect(db).await.unwrap();
    let rows = sqlx::query(sql).fetch_all(&pool).await.unwrap();
    pool.close().await;
    rows.iter()
        .map(|r| {
            (0..r.len())
                .map(|i| {
                    r.try_get::<String, _>(i)
                        .or_else(|_| r.try_get::<i64, _>(i).map(|n| n.to_string()))
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect()
}

/// What a seed decides, without the ids the import gives the persons.
const CONTENT: &str = "SELECT p.codice_fiscale, b.code, a.state, COALESCE(a.protocol, ''),
        COALESCE(a.submitted_on, ''), COALESCE(a.decided_on, ''),
        COALESCE(a.amount_cents, -1), a.committed_cents, a.version,
        (SELECT COUNT(*) FROM application_event e WHERE e.application_id = a.id),
        (SELECT COUNT(*) FROM delivery d WHERE d.application_id = a.id),
        COALESCE(t.protocol, ''), COALESCE(t.isee_cents, -1)
    FROM application a JOIN person p ON p.id = a.person_id JOIN benefit b ON b.id = a.benefit_id
        LEFT JOIN isee_attestation t ON t.id = a.attestation_id
    ORDER BY a.created_at_us, a.id";

#[tokio::test(flavor = "multi_thread")]
async fn demo_applications_fill_every_state_through_the_store_the_same_for_the_same_seed() {
    let dir = tempfile::tempdir().unwrap();
    let db = comune(dir.path(), "a");
    let out = ok(&sportello(
        &db,
        &["demo", "applications", "--count", "150", "--seed", "4"],
    ));
    assert!(
        out.contains("Catalogo di base caricato (16 prestazioni)"),
        "{out}"
    );
    assert!(out.contains("150 domande"), "{out}");

    let states = query(
        &db,
        "SELECT state, CAST(COUNT(*) AS TEXT) FROM application GROUP BY state ORDER BY state",
    )
    .await;
    let names: Vec<&str> = states.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        names,
        [
            "accolta",
            "archiviata",
            "bozza",
            "conclusa",
            "in_erogazione",
            "in_istruttoria",
            "integrazione_richiesta",
            "preavviso_rigetto",
            "presentata",
            "respinta"
        ]
    );
    // Numbered at submission, in order, without gaps; drafts have no number.
    let numbers = query(
        &db,
        "SELECT CAST(COUNT(protocol) AS TEXT), MIN(protocol), MAX(protocol),
            CAST(SUM(state = 'bozza') AS TEXT), CAST(SUM(state = 'bozza' AND protocol IS NULL) AS TEXT)
         FROM application",
    )
    .await;
    let n: usize = numbers[0][0].parse().unwrap();
    assert_eq!(numbers[0][1], "2026/000001");
    assert_eq!(numbers[0][2], format!("2026/{n:06}"));
    assert_eq!(numbers[0][3], numbers[0][4]);
    // Every attestation's figures hold together: ISE = ISR + 20 % ISP, ISEE = ISE / scala.
    let bad = query(
        &db,
        "SELECT protocol FROM isee_attestation
         WHERE ise_cents != isr_cents + isp_cents / 5
            OR ABS(isee_cents - ise_cents / CAST(scala AS REAL)) > 1
            OR protocol NOT LIKE 'INPS-ISEE-____-_________-__'",
    )
    .await;
    assert!(bad.is_empty(), "{bad:?}");
    // Applications in delivery have their months; the person's matter follows the procedure.
    let delivering = query(
        &db,
        "SELECT CAST(COUNT(*) AS TEXT) FROM application a WHERE a.state IN ('in_erogazione', 'conclusa')
            AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.application_id = a.id)",
    )
    .await;
    assert_eq!(delivering[0][0], "0");
    let audit = ok(&sportello(&db, &["audit", "verify"]));
    assert!(audit.contains("Registro integro"), "{audit}");

    // The same seed on another database with the same population: the same applications.
    let other = comune(dir.path(), "b");
    ok(&sportello(
        &other,
        &["demo", "applications", "--count", "150", "--seed", "4"],
    ));
    let first = query(&db, CONTENT).await;
    assert_eq!(first.len(), 150);
    assert_eq!(first, query(&other, CONTENT).await);

    // Again with the same seed: the attestations exist already, nothing is written.
    let again = sportello(
        &db,
        &["demo", "applications", "--count", "150", "--seed", "4"],
    );
    assert_eq!(again.status.code(), Some(2), "{again:?}");
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("usare un altro --seed"),
        "{again:?}"
    );
    let total = query(&db, "SELECT CAST(COUNT(*) AS TEXT) FROM application").await;
    assert_eq!(total[0][0], "150");
    // Another seed adds more, numbered after the others.
    let more = ok(&sportello(
        &db,
        &["demo", "applications", "--count", "20", "--seed", "5"],
    ));
    assert!(
        more.contains("Catalogo esistente (16 prestazioni)"),
        "{more}"
    );
    let total = query(&db, "SELECT CAST(COUNT(*) AS TEXT) FROM application").await;
    assert_eq!(total[0][0], "170");
}
