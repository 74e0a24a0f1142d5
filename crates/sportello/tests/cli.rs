//! The `sportello` command as a user runs it: first start, administration commands, audit
//! verification (with a tampered database), codice fiscale and ISEE.

#![allow(clippy::unwrap_used)] // a failed step is a failed test, helpers included

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

#[path = "cli/backup.rs"]
mod backup;
#[path = "cli/publiccode.rs"]
mod publiccode;

fn sportello(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sportello"))
        .args(args)
        .env_remove("SPORTELLO__ADMIN__PASSWORD")
        .output()
        .expect("run sportello")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn first_start_creates_the_database_and_prints_a_one_time_password() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sportello"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env_remove("SPORTELLO__ADMIN__PASSWORD")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let ready = line.contains("è pronto su http://127.0.0.1:");
        seen.push(line);
        if ready {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let text = seen.join("\n");
    assert!(text.contains("creato l'amministratore «admin»"), "{text}");
    assert!(text.contains("Password provvisoria"), "{text}");
    assert!(
        dir.path().join("data/sportello.db").exists(),
        "SQLite at ./data/sportello.db"
    );
}

#[test]
fn accounts_organizations_and_tokens_from_the_command_line_then_tampering_is_found() {
    let i = Installation::new();
    let run = |args: &[&str]| i.run(args);
    let bad = run(&["org", "add", "x", "--name", "", "--kind", "banca"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("codice") && err.contains("nome") && err.contains("tipo"),
        "{err}"
    );
    let o = run(&[
        "user",
        "add",
        "mario.rossi",
        "--name",
        "Mario Rossi",
        "--org",
        "comune-bg",
        "--role",
        "assistente_sociale",
    ]);
    assert!(stdout(&o).contains("Password provvisoria"), "{o:?}");
    assert!(run(&["user", "passwd", "mario.rossi"]).status.success());
    assert!(run(&["user", "disable", "mario.rossi"]).status.success());
    let list = stdout(&run(&["user", "list"]));
    assert!(
        list.contains("mario.rossi\tdisattivato\tMario Rossi\tcomune-bg:assistente_sociale"),
        "{list}"
    );
    let token = stdout(&run(&["token", "create", "--user", "mario.rossi"]));
    assert!(token.lines().last().unwrap().starts_with("spt_"));
    assert!(
        stdout(&run(&["org", "list"])).contains("comune-bg\tcomune\tattivo\tComune di Bergamo")
    );

    let ok = run(&["audit", "verify"]);
    assert!(
        ok.status.success() && stdout(&ok).contains("Registro integro"),
        "{ok:?}"
    );

    // Someone with access to the database file edits a row, past the append-only trigger.
    i.tamper("UPDATE audit_log SET summary = 'niente' WHERE seq = 2");
    let bad = run(&["audit", "verify"]);
    assert_eq!(bad.status.code(), Some(1));
    let out = stdout(&bad);
    assert!(
        out.contains("riga 2") && out.contains("modificato") && out.contains("ALTERATO"),
        "{out}"
    );
}

/// A database with one comune whose chain has several rows, in its own folder (with the
/// audit key beside it), and a way to run `sportello` on it.
struct Installation {
    dir: tempfile::TempDir,
    db: String,
}

impl Installation {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = format!("sqlite://{}/s.db", dir.path().display());
        let i = Installation { dir, db };
        assert!(i.run(&["migrate"]).status.success());
        let o = i.run(&[
            "org",
            "add",
            "comune-bg",
            "--name",
            "Comune di Bergamo",
            "--kind",
            "comune",
            "--comuni",
            "016024",
        ]);
        assert!(o.status.success(), "{o:?}");
        for login in ["anna.bianchi", "luca.verdi", "sara.neri"] {
            let o = i.run(&[
                "user",
                "add",
                login,
                "--name",
                login,
                "--org",
                "comune-bg",
                "--role",
                "revisore",
            ]);
            assert!(o.status.success(), "{o:?}");
        }
        i
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut all = vec!["--database", self.db.as_str()];
        all.extend_from_slice(args);
        sportello(&all)
    }

    /// What `audit verify` (with these extra arguments) prints, and whether it found the log
    /// intact (exit 0) or altered (exit 1).
    fn verify(&self, extra: &[&str]) -> (bool, String) {
        let mut args = vec!["audit", "verify"];
        args.extend_from_slice(extra);
        let o = self.run(&args);
        let out = stdout(&o);
        match o.status.code() {
            Some(0) => (true, out),
            Some(1) => (false, out),
            _ => panic!("{o:?}"),
        }
    }

    /// Asserts that `audit verify` (with these extra arguments) finds the log altered and
    /// says `what`.
    fn assert_finds(&self, extra: &[&str], what: &str) {
        let (ok, out) = self.verify(extra);
        assert!(!ok && out.contains(what), "{out}");
    }

    /// Runs SQL on the database file as someone with access to it would, triggers dropped.
    fn tamper(&self, sql: &str) {
        let sql =
            format!("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; {sql}");
        tokio_rt().block_on(async {
            let pool = sqlx::SqlitePool::connect(&self.db).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        });
    }

    /// Makes an anchor with `audit anchor` and keeps it in a file.
    fn anchor(&self) -> String {
        let o = self.run(&["audit", "anchor"]);
        assert!(o.status.success(), "{o:?}");
        let path = self.dir.path().join("anchor.json");
        std::fs::write(&path, &o.stdout).unwrap();
        path.display().to_string()
    }

    /// Rewrites row 2 of the comune's chain and re-hashes it and every row after it with
    /// `key`, `keyed` as given, then moves the head to the new last hash.
    /// Rewrites row 2 of comune-bg's chain and re-hashes it and every row after it, from row
    /// `first` on, with `key` (as unkeyed rows when `keyed` is false).
    fn rewrite_and_rehash(&self, key: &domain::audit::AuditKey, keyed: bool, first: i64) {
        use domain::audit::{AuditRow, row_hash};
        use sqlx::Row;
        self.tamper("SELECT 1"); // only drops the append-only triggers
        tokio_rt().block_on(async {
            let pool = sqlx::SqlitePool::connect(&self.db).await.unwrap();
            let rows = sqlx::query(
                "SELECT a.* FROM audit_log a JOIN organization o ON o.id = a.org_id
                 WHERE o.code = 'comune-bg' ORDER BY a.seq",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            let mut prev = domain::audit::GENESIS.to_owned();
            for r in rows {
                let at_us: i64 = r.get("at_us");
                let mut row = AuditRow {
                    id: r.get("id"),
                    org_id: r.get("org_id"),
                    seq: r.get("seq"),
                    at: time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_us) * 1000)
                        .unwrap(),
                    actor_id: r.get("actor_id"),
                    actor: r.get("actor"),
                    action: r.get("action"),
                    record_kind: r.get("record_kind"),
                    record_id: r.get("record_id"),
                    summary: r.get("summary"),
                    reason: r.get("reason"),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                    keyed: r.get("keyed"),
                };
                if row.seq < first {
                    prev = r.get("hash");
                    continue;
                }
                if row.seq == 2 {
                    row.summary = "niente di importante".into();
                }
                row.keyed = keyed;
                row.hash = row_hash(&row, key);
                sqlx::query(
                    "UPDATE audit_log SET summary = $2, prev_hash = $3, hash = $4, keyed = $5
                     WHERE id = $1",
                )
                .bind(row.id)
                .bind(&row.summary)
                .bind(&row.prev_hash)
                .bind(&row.hash)
                .bind(row.keyed)
                .execute(&pool)
                .await
                .unwrap();
                sqlx::query("UPDATE audit_head SET hash = $2 WHERE org_id = $1")
                    .bind(row.org_id)
                    .bind(&row.hash)
                    .execute(&pool)
                    .await
                    .unwrap();
                prev = row.hash;
            }
            pool.close().await;
        });
    }

    fn key(&self) -> domain::audit::AuditKey {
        let text = std::fs::read_to_string(self.dir.path().join("audit.key")).unwrap();
        domain::audit::AuditKey::parse(&text).unwrap()
    }
}

const COMUNE: &str = "(SELECT id FROM organization WHERE code = 'comune-bg')";

/// One value read from the SQLite database at `url`.
fn scalar(url: &str, sql: &str) -> String {
    use sqlx::Row;
    tokio_rt().block_on(async {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let row = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(&pool)
            .await
            .unwrap();
        let v: String = row.get(0);
        pool.close().await;
        v
    })
}

#[test]
fn the_letterhead_is_set_from_the_command_line_with_the_checks_of_its_page() {
    let i = Installation::new();
    let run = |args: &[&str]| i.run(args);
    let stderr = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    let actions = || {
        scalar(
            &i.db,
            &format!(
                "SELECT COALESCE(group_concat(action || ':' || actor, ' '), '') FROM (SELECT action, actor FROM audit_log
                 WHERE org_id = {COMUNE} AND action LIKE 'org.l%' ORDER BY seq)"
            ),
        )
    };

    // Bad fields are named, as on the page, and nothing is saved.
    let bad = run(&[
        "org",
        "letterhead",
        "comune-bg",
        "--postcode",
        "241",
        "--pec",
        "protocollo",
    ]);
    assert!(!bad.status.success());
    let err = stderr(&bad);
    assert!(err.contains("CAP") && err.contains("PEC"), "{err}");
    assert!(!stderr(&run(&["org", "letterhead", "comune-bg"])).is_empty());
    assert!(
        stderr(&run(&[
            "org",
            "letterhead",
            "comune-xx",
            "--phone",
            "035 1"
        ]))
        .contains("non trovato")
    );
    let page = i.dir.path().join("logo.png");
    std::fs::write(&page, "<html><body>non un logo</body></html>").unwrap();
    let refused = run(&[
        "org",
        "letterhead",
        "comune-bg",
        "--logo",
        page.to_str().unwrap(),
    ]);
    assert!(stderr(&refused).contains("PNG o JPEG"), "{refused:?}");
    assert_eq!(actions(), "", "nothing saved");

    // The fields given, two lines of hours and the logo; then one field more, the rest kept.
    let logo = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/examples/logo-comune.png"
    );
    let o = run(&[
        "org",
        "letterhead",
        "comune-bg",
        "--office",
        "Settore Servizi sociali",
        "--postcode",
        "24122",
        "--city",
        "Bergamo (BG)",
        "--hours",
        "lunedì–venerdì 9–12",
        "--hours",
        "giovedì 14–16",
        "--signer-title",
        "La Responsabile del Servizio",
        "--signer-name",
        "dott.ssa Anna Bianchi",
        "--logo",
        logo,
    ]);
    assert!(o.status.success(), "{o:?}");
    assert!(
        stdout(&o).contains("carta intestata salvata, logo salvato"),
        "{o:?}"
    );
    assert!(
        run(&["org", "letterhead", "comune-bg", "--phone", "035 399111"])
            .status
            .success()
    );
    assert_eq!(
        scalar(
            &i.db,
            &format!(
                "SELECT office || ' | ' || phone || ' | ' || hours FROM org_letterhead WHERE org_id = {COMUNE}"
            )
        ),
        "Settore Servizi sociali | 035 399111 | lunedì–venerdì 9–12\ngiovedì 14–16"
    );
    assert_eq!(
        scalar(
            &i.db,
            &format!("SELECT content_type FROM org_logo WHERE org_id = {COMUNE}")
        ),
        "image/png"
    );

    // Taken off once; a second time there is none.
    assert!(stdout(&run(&["org", "letterhead", "comune-bg", "--no-logo"])).contains("logo tolto"));
    assert!(
        stderr(&run(&["org", "letterhead", "comune-bg", "--no-logo"])).contains("non ha un logo")
    );
    assert_eq!(
        actions(),
        "org.letterhead:sistema org.logo:sistema org.letterhead:sistema org.logo_remove:sistema"
    );
    assert!(run(&["audit", "verify"]).status.success());
}

#[test]
fn a_deleted_chain_head_is_found() {
    let i = Installation::new();
    assert!(i.verify(&[]).0);
    i.tamper(&format!("DELETE FROM audit_head WHERE org_id = {COMUNE}"));
    i.assert_finds(&[], "ente comune-bg: manca la testa");
}

#[test]
fn a_chain_deleted_with_its_head_is_found() {
    let i = Installation::new();
    i.tamper(&format!(
        "DELETE FROM audit_log WHERE org_id = {COMUNE}; DELETE FROM audit_head WHERE org_id = {COMUNE}"
    ));
    i.assert_finds(&[], "ente comune-bg: l'ente non ha righe nel registro");
}

#[test]
fn a_tail_cut_with_the_head_lowered_is_found_by_the_anchor() {
    let i = Installation::new();
    let anchor = i.anchor();
    let (ok, out) = i.verify(&["--anchor", &anchor]);
    assert!(ok && out.contains("Ancoraggio del"), "{out}");
    i.tamper(&format!(
        "DELETE FROM audit_log WHERE org_id = {COMUNE} AND seq > 2;
         UPDATE audit_head SET seq = 2,
             hash = (SELECT hash FROM audit_log WHERE org_id = {COMUNE} AND seq = 2)
         WHERE org_id = {COMUNE}"
    ));
    // A consistent shorter chain is all the database holds: only the anchor remembers more.
    i.assert_finds(&["--anchor", &anchor], "firmata nell'ancoraggio, ora manca");
    // A lowered head that no longer names the last row is found without the anchor.
    let i = Installation::new();
    i.tamper(&format!(
        "UPDATE audit_head SET seq = 2 WHERE org_id = {COMUNE}"
    ));
    i.assert_finds(&[], "la testa della catena indica la riga 2");
}

#[test]
fn a_rewritten_chain_rehashed_forward_is_found() {
    // Without the key: with a key of one's own, or as rows from before the key existed.
    let i = Installation::new();
    i.rewrite_and_rehash(&domain::audit::AuditKey::from_bytes([1; 32]), true, 2);
    i.assert_finds(&[], "riga 2 (");
    i.assert_finds(&[], "il contenuto è stato modificato");
    let i = Installation::new();
    i.rewrite_and_rehash(&domain::audit::AuditKey::from_bytes([1; 32]), false, 2);
    i.assert_finds(&[], "senza chiave dopo righe con chiave");
    // The whole chain as rows from before the key, in a log keyed from its first row.
    let i = Installation::new();
    i.rewrite_and_rehash(&domain::audit::AuditKey::from_bytes([1; 32]), false, 1);
    i.assert_finds(&[], "in un registro che ha una chiave dalla prima riga");

    // With the key itself: the chain verifies, the anchor made before does not.
    let i = Installation::new();
    let anchor = i.anchor();
    i.rewrite_and_rehash(&i.key(), true, 2);
    assert!(i.verify(&[]).0);
    i.assert_finds(&["--anchor", &anchor], "firmata nell'ancoraggio");

    // An anchor edited to agree with the rewritten log no longer carries its signature.
    let text = std::fs::read_to_string(&anchor).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["heads"][0]["hash"] = "0".repeat(64).into();
    std::fs::write(&anchor, value.to_string()).unwrap();
    i.assert_finds(&["--anchor", &anchor], "firma NON valida");
}

#[test]
fn a_malformed_audit_key_is_refused() {
    let i = Installation::new();
    std::fs::write(i.dir.path().join("audit.key"), "0123").unwrap();
    let o = i.run(&["audit", "verify"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("audit.key") && err.contains("32 byte"),
        "{err}"
    );
}

#[test]
fn a_lost_audit_key_is_not_silently_replaced() {
    let i = Installation::new();
    let key = i.dir.path().join("audit.key");
    std::fs::remove_file(&key).unwrap();
    let o = i.run(&["audit", "verify"]);
    assert!(!o.status.success(), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("mancante"), "{err}");
    assert!(!key.exists(), "a new key was left in place of the lost one");
}

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn the_configuration_is_printed_with_secrets_hidden() {
    let o = Command::new(env!("CARGO_BIN_EXE_sportello"))
        .args([
            "--database",
            "postgres://app:segreta@db/sportello",
            "config",
        ])
        .env("SPORTELLO__ADMIN__PASSWORD", "un segreto lungo davvero")
        .env(
            "SPORTELLO__MAIL__SMTP_URL",
            "smtp://posta:parola-smtp@mail.example:587?tls=required",
        )
        .output()
        .unwrap();
    let out = stdout(&o);
    assert!(o.status.success());
    assert!(
        !out.contains("segreta") && !out.contains("un segreto") && !out.contains("parola-smtp"),
        "{out}"
    );
    assert!(
        out.contains("smtp://posta:[nascosto]@mail.example:587?tls=required"),
        "{out}"
    );
    assert!(
        out.contains("[nascosto]") && out.contains("127.0.0.1:8328"),
        "{out}"
    );
    assert!(out.contains("\"key_file\": \"data/audit.key\""), "{out}");
}

#[test]
fn cf_decode_prints_one_json_object_per_code_in_order() {
    let o = sportello(&["cf", "decode", "RSSMRA85T10A475X", "RSSMRA85T10A475Y"]);
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["birthplace_name"], "Assisi");
    assert_eq!(lines[0]["birth_date"], "1985-12-10");
    assert_eq!(lines[1]["valid"], false);
    assert!(
        lines[1]["error"].as_str().unwrap().contains("X"),
        "{}",
        lines[1]
    );
    let enc = sportello(&[
        "cf",
        "encode",
        "--cognome",
        "Rossi",
        "--nome",
        "Mario",
        "--sesso",
        "M",
        "--data",
        "1985-12-10",
        "--luogo",
        "Assisi",
    ]);
    assert_eq!(stdout(&enc).trim(), "RSSMRA85T10A475X");
}

#[test]
fn isee_calc_prints_the_figures_as_decimal_strings() {
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/isee/pensionato-solo.json"
    );
    let o = sportello(&["isee", "calc", example]);
    assert!(o.status.success(), "{o:?}");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for key in ["isr", "isp", "ise", "scala", "isee"] {
        assert!(v[key].is_string(), "{key}: {v}");
    }
    assert!(v["detail"].is_object() || v["detail"].is_array());
    let bad = sportello(&["isee", "calc", "/nonexistent.json"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn demo_generate_is_deterministic_and_writes_the_import_file() {
    let args = [
        "demo",
        "generate",
        "--persons",
        "50",
        "--seed",
        "7",
        "--data",
        "2026-10-26",
    ];
    let a = sportello(&args);
    assert!(a.status.success(), "{a:?}");
    let b = sportello(&args);
    assert_eq!(a.stdout, b.stdout);
    let text = stdout(&a);
    assert_eq!(text.lines().count(), 51);
    assert!(text.starts_with(
        "id_anpr;codice_fiscale;cognome;nome;sesso;data_nascita;luogo_nascita;cittadinanza;stato_civile;data_decesso;indirizzo;data_decorrenza_residenza;id_famiglia;rapporto_parentela\n"
    ));
    // Without --data the reference is a month ago: still the same file twice.
    let c = sportello(&["demo", "generate", "--persons", "50", "--seed", "7"]);
    assert_eq!(
        c.stdout,
        sportello(&["demo", "generate", "--persons", "50", "--seed", "7"]).stdout
    );
    assert_ne!(
        sportello(&["demo", "generate", "--persons", "50", "--seed", "8"]).stdout,
        c.stdout
    );

    // The next month's file, into a file; a summary on standard error.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dicembre.csv");
    let o = sportello(&[
        "demo",
        "generate",
        "--persons",
        "50",
        "--seed",
        "7",
        "--data",
        "2026-10-26",
        "--mese-successivo",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("al 2026-11-26") && err.contains("nascite"),
        "{err}"
    );
    let next = std::fs::read_to_string(&out).unwrap();
    assert_ne!(next, text);
    assert_eq!(next.lines().next(), text.lines().next());

    let bad = sportello(&["demo", "generate", "--comune", "999999"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("999999"));
}

#[test]
fn serve_demo_fills_a_fresh_demo_database_and_prints_the_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let start = || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sportello"))
            .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
            .current_dir(dir.path())
            .env_remove("SPORTELLO__ADMIN__PASSWORD")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut seen = Vec::new();
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
            let line = line.unwrap();
            let ready = line.contains("è pronto su http://127.0.0.1:");
            seen.push(line);
            if ready {
                break;
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        seen.join("\n")
    };
    let text = start();
    // Both generated files go through the real import without a rejected row.
    assert!(
        text.contains("2000 righe lette, 2000 nuove persone"),
        "{text}"
    );
    assert_eq!(text.matches("0 righe scartate").count(), 2, "{text}");
    assert!(text.contains("password «demo-sportello»"), "{text}");
    // The whole office: the segretariato's accesses and follow-ups, case files with their
    // diaries, interviews held and booked, assessments and plans; and the sample INPS
    // attestation's household.
    assert!(
        text.contains(
            "accessi al segretariato (3 seguiti da fare), 9 cartelle sociali con 36 \
             annotazioni, 9 colloqui svolti e 9 fissati, 6 valutazioni SINA/SINBA, 9 PAI"
        ),
        "{text}"
    );
    assert!(
        text.contains("attestazione INPS di esempio (docs/examples/attestazione-inps.xml): Rossi Mario, Bianchi Anna, Rossi Luca"),
        "{text}"
    );
    assert!(
        text.contains("sportello ") && text.contains("responsabile"),
        "{text}"
    );
    assert!(!text.contains("Primo avvio"), "{text}");
    assert!(dir.path().join("data/demo.db").exists());
    // The demo comune's letterhead is complete, with its logo.
    let demo = format!("sqlite://{}/data/demo.db", dir.path().display());
    assert_eq!(
        scalar(
            &demo,
            "SELECT pec || ' | ' || signer_name || ' | ' || (SELECT content_type FROM org_logo)
             FROM org_letterhead"
        ),
        "protocollo@pec.comune.demo.example.it | dott.ssa Anna Bianchi | image/png"
    );
    assert!(!dir.path().join("data/sportello.db").exists());
    siuss_esporta_writes_every_demo_record_valid(dir.path());
    pagamenti_sepa_writes_the_demo_months_approved_lists(dir.path());
    // Recreated at every start: the same first import again.
    let again = start();
    assert!(
        again.contains("2000 righe lette, 2000 nuove persone"),
        "{again}"
    );
}

#[test]
fn import_anagrafe_prints_the_report_lists_rejections_and_refuses_unreadable_files() {
    let i = Installation::new();
    let run = |args: &[&str]| i.run(args);
    let dir = &i.dir;
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/examples");
    let csv = format!("{examples}/anagrafe-A794.csv");
    let o = run(&[
        "import",
        "anagrafe",
        &csv,
        "--comune",
        "A794",
        "--data-riferimento",
        "2026-11-01",
    ]);
    assert!(o.status.success(), "{o:?}");
    let text = stdout(&o);
    assert!(text.contains("primo import"), "{text}");
    assert!(
        text.contains("persone nuove                    16"),
        "{text}"
    );
    // The same list as JSON, with the organization named: nothing changes.
    let json = format!("{examples}/anagrafe-A794.json");
    let o = run(&[
        "import",
        "anagrafe",
        &json,
        "--comune",
        "016024",
        "--ente",
        "comune-bg",
        "--json",
    ]);
    assert!(o.status.success(), "{o:?}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["nuove"], 0);
    assert_eq!(v["invariate"], 16);
    assert_eq!(v["data_riferimento"], "2026-11-01");
    // Rejected rows are listed and the exit status is still 0.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "id_anpr;cognome;nome;sesso;data_nascita;luogo_nascita;cittadinanza\n9;Rossi;Ugo;X;1950-01-01;A794;IT\n",
    )
    .unwrap();
    let o = run(&[
        "import",
        "anagrafe",
        bad.to_str().unwrap(),
        "--comune",
        "A794",
    ]);
    assert!(o.status.success(), "{o:?}");
    assert!(stdout(&o).contains("riga 2, sesso:"), "{}", stdout(&o));
    // A file that cannot be read at all, or a comune no organization covers: exit 2.
    std::fs::write(&bad, "id_anpr;cognome\n1;Rossi\n").unwrap();
    let o = run(&[
        "import",
        "anagrafe",
        bad.to_str().unwrap(),
        "--comune",
        "A794",
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("«nome»"));
    let o = run(&["import", "anagrafe", "/nessun/file.csv", "--comune", "A794"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["import", "anagrafe", &csv, "--comune", "F205"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nessun ente"));
}

/// A one-message SMTP server on 127.0.0.1: answers the plain dialogue, refusing every
/// recipient with 550 when `refuse`; returns its port and the message data it accepted.
fn smtp_once(refuse: bool) -> (u16, std::thread::JoinHandle<String>) {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        let mut w = socket.try_clone().unwrap();
        let mut lines = BufReader::new(socket).lines();
        let mut data = String::new();
        w.write_all(b"220 prova ESMTP\r\n").unwrap();
        while let Some(Ok(line)) = lines.next() {
            let cmd = line.to_ascii_uppercase();
            let reply: &[u8] = if cmd.starts_with("RCPT") && refuse {
                b"550 5.1.1 casella inesistente\r\n"
            } else if cmd == "DATA" {
                w.write_all(b"354 avanti\r\n").unwrap();
                for l in lines.by_ref() {
                    let l = l.unwrap();
                    if l == "." {
                        break;
                    }
                    data.push_str(&l);
                    data.push('\n');
                }
                b"250 OK\r\n"
            } else if cmd.starts_with("QUIT") {
                let _ = w.write_all(b"221 ciao\r\n");
                break;
            } else {
                b"250 OK\r\n"
            };
            w.write_all(reply).unwrap();
        }
        data
    });
    (port, handle)
}

#[test]
fn mail_prova_sends_a_test_message_or_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let prova = |url: Option<String>, to: &str| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_sportello"));
        c.args(["mail", "prova", "--a", to])
            .current_dir(dir.path())
            .env_remove("SPORTELLO__MAIL__SMTP_URL")
            .env(
                "SPORTELLO__MAIL__FROM",
                "Comune di Prova <sociale@comune.example>",
            );
        if let Some(url) = url {
            c.env("SPORTELLO__MAIL__SMTP_URL", url);
        }
        c.output().unwrap()
    };

    let (port, server) = smtp_once(false);
    let o = prova(Some(format!("smtp://127.0.0.1:{port}")), "anna@example.org");
    assert!(o.status.success(), "{o:?}");
    assert!(stdout(&o).contains("Messaggio di prova inviato a anna@example.org."));
    let data = server.join().unwrap();
    assert!(data.contains("To: anna@example.org"), "{data}");
    assert!(
        data.contains("Subject: Sportello: messaggio di prova"),
        "{data}"
    );
    assert!(data.contains("sociale@comune.example"), "{data}");

    let (port, server) = smtp_once(true);
    let o = prova(
        Some(format!("smtp://127.0.0.1:{port}")),
        "nessuno@example.org",
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("il server di posta ha rifiutato il messaggio: 550"),
        "{err}"
    );
    assert_eq!(server.join().unwrap(), "");

    let o = prova(None, "anna@example.org");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("l'invio di e-mail non è configurato"), "{err}");

    let o = prova(None, "non-un-indirizzo");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("indirizzo e-mail non valido: «non-un-indirizzo»"),
        "{err}"
    );
}

/// `sportello pagamenti sepa` on the demonstration database: the months whose approved lists
/// still have payments to order give a SEPA file valid against pain.001.001.09 (at least one
/// does); the others say there is nothing to pay; a bad month is refused.
fn pagamenti_sepa_writes_the_demo_months_approved_lists(dir: &std::path::Path) {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_sportello"))
            .args(args)
            .current_dir(dir)
            .env("SPORTELLO__DATABASE__URL", "sqlite://data/demo.db")
            .output()
            .unwrap()
    };
    let mut month = time::OffsetDateTime::now_utc()
        .date()
        .replace_day(1)
        .unwrap();
    let mut written = 0;
    for _ in 0..5 {
        let mese = format!("{:04}-{:02}", month.year(), u8::from(month.month()));
        let file = format!("sepa-{mese}.xml");
        let out = run(&["pagamenti", "sepa", "--mese", &mese, &file]);
        if out.status.success() {
            assert!(stdout(&out).contains("pain.001.001.09, valido"), "{mese}");
            let xml = std::fs::read_to_string(dir.join(&file)).unwrap();
            assert_eq!(
                domain::payment::validate_pain001(&xml),
                Vec::<String>::new(),
                "{mese}"
            );
            written += 1;
        } else {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("nessuna distinta approvata"), "{mese}: {err}");
        }
        month = month.previous_day().unwrap().replace_day(1).unwrap();
    }
    assert!(written >= 1, "no month with a SEPA file");
    let bad = run(&["pagamenti", "sepa", "--mese", "marzo", "x.xml"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("mese «marzo» non valido"));
}

/// `sportello siuss esporta` on the demonstration database: every month of the last year and a
/// half, every record valid (none listed as invalid), the files named as INPS asks and valid
/// by the XSDs, PS/PSA from the deliveries and SINA and SINBA from the assessments; a second
/// export the same day numbers its files after the first; bad arguments are refused.
fn siuss_esporta_writes_every_demo_record_valid(dir: &std::path::Path) {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_sportello"))
            .args(args)
            .current_dir(dir)
            .env("SPORTELLO__DATABASE__URL", "sqlite://data/demo.db")
            .output()
            .unwrap()
    };
    let today = time::OffsetDateTime::now_utc().date();
    let mut month = today.replace_day(1).unwrap();
    let mut records = 0;
    for _ in 0..18 {
        let periodo = format!("{:04}-{:02}", month.year(), u8::from(month.month()));
        let out = run(&[
            "siuss",
            "esporta",
            "--periodo",
            &periodo,
            "--cartella",
            "siuss",
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{periodo}: {err}");
        assert!(!err.contains("non valido"), "{periodo}: {err}");
        let text = stdout(&out);
        assert!(
            text.contains(&format!(
                "Ente comune-bergamo-demo «Comune di Bergamo (demo)», {periodo}: "
            )),
            "{text}"
        );
        records += text
            .split(": ")
            .nth(1)
            .and_then(|t| t.split(' ').next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap();
        month = month.previous_day().unwrap().replace_day(1).unwrap();
    }
    assert!(records > 300, "{records} records");
    let mut kinds = std::collections::BTreeSet::new();
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir.join("siuss")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let parts: Vec<&str> = name.split('.').collect();
        assert_eq!(parts.len(), 5, "{name}");
        assert_eq!(parts[0], "A794");
        assert_eq!(parts[3].len(), 7, "{name}");
        kinds.insert(parts[1].to_owned());
        let flow = if parts[1] == "SINBA" {
            domain::siuss::Flow::Sinba
        } else {
            domain::siuss::Flow::PsPsaSina
        };
        let xml = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            domain::siuss::validate_document(flow, &xml),
            Vec::<String>::new(),
            "{name}"
        );
        names.push(name);
    }
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        vec!["PSA", "SINA", "SINBA"],
        "{names:?}"
    );
    let sequences: std::collections::BTreeSet<&str> =
        names.iter().map(|n| n.split('.').nth(3).unwrap()).collect();
    assert_eq!(
        sequences.len(),
        names.len(),
        "no file written over another: {names:?}"
    );

    let bad = run(&[
        "siuss",
        "esporta",
        "--periodo",
        "marzo",
        "--cartella",
        "siuss",
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("periodo «marzo» non valido"));
    let unknown = run(&[
        "siuss",
        "esporta",
        "--periodo",
        "2026-01",
        "--cartella",
        "siuss",
        "--ente",
        "nessuno",
    ]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("ente «nessuno» non trovato"));
}
