//! Running it for real: backup and restore drills on SQLite and PostgreSQL (a backup taken
//! while the office writes, verified, restored, counted and its audit log verified), the
//! refusals (wrong key, tampered or cut file, non-empty target, other engine), and upgrades
//! (`migrate --dry-run`, a schema newer than the binary refused by every command).

use super::{stdout, tokio_rt};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// `sportello` with the database, the audit key and the backup keys of a test.
struct Site {
    db: String,
    audit_key: PathBuf,
    recipient: String,
    identity: PathBuf,
}

impl Site {
    fn command(&self, db: &str, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_sportello"));
        c.arg("--database")
            .arg(db)
            .args(args)
            .env_remove("SPORTELLO__ADMIN__PASSWORD")
            .env("SPORTELLO__AUDIT__KEY_FILE", &self.audit_key)
            .env("SPORTELLO__BACKUP__RECIPIENT", &self.recipient)
            .env("SPORTELLO__BACKUP__IDENTITY_FILE", &self.identity);
        c
    }

    fn on(&self, db: &str, args: &[&str]) -> Output {
        self.command(db, args).output().unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.on(&self.db, args)
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A new age key pair in `dir/name`: the private key file and the public key.
fn key_pair(dir: &Path, name: &str) -> (PathBuf, String) {
    let path = dir.join(name);
    let o = super::sportello(&["backup", "--genera-chiave", path.to_str().unwrap()]);
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    let recipient = out
        .lines()
        .find_map(|l| l.strip_prefix("recipient = \""))
        .and_then(|l| l.strip_suffix('"'))
        .unwrap_or_else(|| panic!("{out}"))
        .to_owned();
    assert!(recipient.starts_with("age1"), "{recipient}");
    (path, recipient)
}

/// Adds operators one after the other until `stop`, as the office would while a backup runs;
/// returns how many were added.
fn writer(site: &Site, stop: &std::sync::atomic::AtomicBool, org: &str) -> usize {
    let mut n = 0;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let login = format!("operatore.{n}");
        let o = site.run(&[
            "user",
            "add",
            &login,
            "--name",
            "Operatore Prova",
            "--org",
            org,
            "--role",
            "operatore_sportello",
        ]);
        assert!(o.status.success(), "{o:?}");
        n += 1;
    }
    n
}

/// The drill: a backup while operators are added, its verification, its restore into
/// `target`, the restored database's rows against the backup's, its audit log verified with
/// the key kept apart; then the refusals.
fn drill(site: &Site, target: &str, other_target: &str, dir: &Path, org: &str) {
    let file = dir.join("copia.sportello");
    let file_s = file.to_str().unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (backup, added) = std::thread::scope(|s| {
        let w = s.spawn(|| writer(site, &stop, org));
        // Let the writer start, then back up while it goes on.
        std::thread::sleep(std::time::Duration::from_millis(300));
        let backup = site.run(&["backup", file_s]);
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        (backup, w.join().unwrap())
    });
    assert!(backup.status.success(), "{backup:?}");
    assert!(added > 0, "no write ran beside the backup");
    let out = stdout(&backup);
    assert!(out.contains("Copia di sicurezza scritta in"), "{out}");
    let verify = site.run(&["backup", "--verify", file_s]);
    assert!(verify.status.success(), "{verify:?}");
    let verified = stdout(&verify);
    assert!(verified.contains("SHA-256 del contenuto"), "{verified}");
    // "… N tabelle, M righe, …": the rows the manifest promises.
    let rows: i64 = verified
        .split(" righe")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{verified}"));

    let restore = site.on(target, &["restore", file_s]);
    assert!(restore.status.success(), "{restore:?}");
    assert!(
        stdout(&restore).contains("Ripristino completato"),
        "{restore:?}"
    );
    // The restored rows, counted here, are the manifest's.
    assert_eq!(count_rows(target), rows, "{verified}");
    // The audit chains hold, with the key kept apart.
    let audit = site.on(target, &["audit", "verify"]);
    assert!(audit.status.success(), "{audit:?}");
    assert!(stdout(&audit).contains("Registro integro"), "{audit:?}");
    // The restored database opens and serves the office's commands.
    let users = site.on(target, &["user", "list"]);
    assert!(users.status.success(), "{users:?}");

    // Not into a database that holds data.
    let again = site.on(target, &["restore", file_s]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("non è vuoto"), "{again:?}");
    // Not with another key.
    let (other, _) = key_pair(dir, "altra-chiave.txt");
    let wrong = site.on(
        other_target,
        &["restore", file_s, "--identity", other.to_str().unwrap()],
    );
    assert!(!wrong.status.success());
    assert!(stderr(&wrong).contains("non apre la copia"), "{wrong:?}");
    // Not a changed byte, nor a cut file.
    let bytes = std::fs::read(&file).unwrap();
    let mut changed = bytes.clone();
    let middle = changed.len() / 2;
    changed[middle] ^= 0x40;
    let tampered = dir.join("alterata.sportello");
    std::fs::write(&tampered, &changed).unwrap();
    let t = site.on(other_target, &["restore", tampered.to_str().unwrap()]);
    assert!(!t.status.success());
    assert!(stderr(&t).contains("alterat"), "{t:?}");
    let v = site.run(&["backup", "--verify", tampered.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(2), "{v:?}");
    assert!(stderr(&v).contains("alterat"), "{v:?}");
    let cut = dir.join("troncata.sportello");
    std::fs::write(&cut, &bytes[..bytes.len() - 100]).unwrap();
    let c = site.on(other_target, &["restore", cut.to_str().unwrap()]);
    assert!(!c.status.success());
    assert!(stderr(&c).contains("alterat"), "{c:?}");
    // Nothing of those refusals reached the other target.
    assert_eq!(count_rows(other_target), 0);
}

/// Every row of every table of the database `$pool` opens, its tables listed by `$tables`.
macro_rules! count_all {
    ($pool:ty, $url:expr, $tables:expr) => {{
        let pool = <$pool>::connect($url).await.unwrap();
        let tables: Vec<String> = sqlx::query_scalar($tables).fetch_all(&pool).await.unwrap();
        let mut n = 0i64;
        for t in tables {
            let sql = format!("SELECT count(*) FROM \"{t}\"");
            let c: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(&pool)
                .await
                .unwrap();
            n += c;
        }
        pool.close().await;
        n
    }};
}

/// Every row of every table (SQLite or PostgreSQL); a missing SQLite file holds none.
fn count_rows(url: &str) -> i64 {
    tokio_rt().block_on(async {
        match url.strip_prefix("sqlite://") {
            Some(path) if !Path::new(path).exists() => 0,
            Some(_) => count_all!(
                sqlx::SqlitePool,
                url,
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ),
            None => count_all!(
                sqlx::PgPool,
                url,
                "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()"
            ),
        }
    })
}

/// Fills `data/demo.db` under `dir` as `serve --demo` does, and stops the server.
fn demo_database(dir: &Path) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sportello"))
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .current_dir(dir)
        .env_remove("SPORTELLO__ADMIN__PASSWORD")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        if line.unwrap().contains("è pronto su http://127.0.0.1:") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    format!("sqlite://{}/data/demo.db", dir.display())
}

#[test]
fn sqlite_backup_taken_while_writing_is_restored_whole_and_verified() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_database(dir.path());
    let (identity, recipient) = key_pair(dir.path(), "chiave-copie.txt");
    let site = Site {
        db,
        audit_key: dir.path().join("data/audit.key"),
        recipient,
        identity,
    };
    let target = format!("sqlite://{}/ripristino/s.db", dir.path().display());
    let other = format!("sqlite://{}/altro/s.db", dir.path().display());
    drill(&site, &target, &other, dir.path(), "comune-bergamo-demo");
    // Not from SQLite into PostgreSQL.
    let cross = site.on(
        "postgres://nessuno@127.0.0.1:1/x",
        &[
            "restore",
            dir.path().join("copia.sportello").to_str().unwrap(),
        ],
    );
    assert!(!cross.status.success());
    assert!(
        stderr(&cross).contains("tra SQLite e PostgreSQL"),
        "{cross:?}"
    );
    // A backup without a recipient configured says what is missing.
    let o = Command::new(env!("CARGO_BIN_EXE_sportello"))
        .args(["--database", &site.db, "backup"])
        .arg(dir.path().join("x.sportello"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(stderr(&o).contains("backup.recipient"), "{o:?}");
}

#[test]
fn postgresql_backup_taken_while_writing_is_restored_whole_and_verified() {
    let rt = tokio_rt();
    let Some(source) = rt.block_on(store_postgres::testing::fresh_url()) else {
        return;
    };
    let target = rt.block_on(store_postgres::testing::fresh_url()).unwrap();
    let other = rt.block_on(store_postgres::testing::fresh_url()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (identity, recipient) = key_pair(dir.path(), "chiave-copie.txt");
    let site = Site {
        db: source,
        audit_key: dir.path().join("audit.key"),
        recipient,
        identity,
    };
    let ok = |o: Output| assert!(o.status.success(), "{o:?}");
    ok(site.run(&["migrate"]));
    let mut org: Vec<&str> = "org add comune-bg --kind comune --comuni 016024 --name"
        .split(' ')
        .collect();
    org.push("Comune di Bergamo");
    ok(site.run(&org));
    drill(&site, &target, &other, dir.path(), "comune-bg");
}

/// `migrate --dry-run` before and after `migrate`, and with one migration missing; then a
/// migration from the future refused by every command.
fn upgrades(db: &str, audit_key: &Path, empty: impl Fn() -> bool, tamper: impl Fn(&str)) {
    let run = |args: &[&str]| {
        let mut all = vec!["--database", db];
        all.extend_from_slice(args);
        Command::new(env!("CARGO_BIN_EXE_sportello"))
            .args(&all)
            .env("SPORTELLO__AUDIT__KEY_FILE", audit_key)
            .env_remove("SPORTELLO__ADMIN__PASSWORD")
            .output()
            .unwrap()
    };
    let dry = run(&["migrate", "--dry-run"]);
    assert!(dry.status.success(), "{dry:?}");
    let out = stdout(&dry);
    assert!(out.contains("Schema del database: vuoto"), "{out}");
    assert!(out.contains("0001 «foundation»"), "{out}");
    assert!(empty(), "the dry run applied something");
    assert!(run(&["migrate"]).status.success());
    let out = stdout(&run(&["migrate", "--dry-run"]));
    assert!(out.contains("Nessuna migrazione da applicare"), "{out}");
    // The newest migration forgotten: the dry run names it, and only it.
    let newest = out
        .split("Schema del database: ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .unwrap()
        .to_owned();
    tamper(&format!(
        "DELETE FROM _sqlx_migrations WHERE version = {}",
        newest.trim_start_matches('0')
    ));
    let out = stdout(&run(&["migrate", "--dry-run"]));
    assert!(out.contains("Migrazioni da applicare (1)"), "{out}");
    assert!(out.contains(&format!("  {newest} «")), "{out}");
    // A migration this binary does not know: every command refuses, naming it.
    tamper(&format!(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES ({newest}, 'restored', TRUE, {}, 0), (9999, 'dal futuro', TRUE, {}, 0)",
        if db.starts_with("sqlite") {
            "X'00'"
        } else {
            "'\\x00'::bytea"
        },
        if db.starts_with("sqlite") {
            "X'00'"
        } else {
            "'\\x00'::bytea"
        },
    ));
    let backup_file = audit_key.with_file_name("x.sportello");
    for args in [
        &["migrate"][..],
        &["migrate", "--dry-run"],
        &["user", "list"],
        &["audit", "verify"],
        &["serve", "--listen", "127.0.0.1:0"],
        &["backup", backup_file.to_str().unwrap()],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {o:?}");
        let err = stderr(&o);
        assert!(
            err.contains("più recente di questa versione di Sportello")
                && err.contains("9999 «dal futuro»"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn sqlite_upgrades_are_listed_and_a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.db");
    let db = format!("sqlite://{}", file.display());
    let key = dir.path().join("audit.key");
    upgrades(
        &db,
        &key,
        || !file.exists(),
        |sql| {
            tokio_rt().block_on(async {
                let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
            });
        },
    );
}

#[test]
fn postgresql_upgrades_are_listed_and_a_newer_schema_is_refused() {
    let rt = tokio_rt();
    let Some(db) = rt.block_on(store_postgres::testing::fresh_url()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    upgrades(
        &db,
        &dir.path().join("audit.key"),
        || count_rows(&db) == 0 && pg_tables(&db) == 0,
        |sql| {
            tokio_rt().block_on(async {
                let pool = sqlx::PgPool::connect(&db).await.unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
            });
        },
    );
}

fn pg_tables(url: &str) -> i64 {
    tokio_rt().block_on(async {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        pool.close().await;
        n
    })
}
