//! Backups and upgrades: `sportello backup FILE` (online, consistent, compressed, encrypted),
//! `sportello backup --verify FILE`, `sportello restore FILE --database URL` (only into an
//! empty database), `sportello migrate --dry-run`, and the refusal of a database whose schema
//! is newer than this binary.
//!
//! A backup file is an age file (X25519, to `[backup] recipient`) whose plaintext is
//!
//! ```text
//! SPORTELLO-BACKUP 1\n
//! {manifest, one line of JSON}\n
//! zstd(payload)
//! ```
//!
//! The payload is the database: on SQLite the file `VACUUM INTO` wrote (a consistent copy taken
//! in one read transaction while the office writes), on PostgreSQL our export of every table
//! through `COPY` in one `REPEATABLE READ` transaction (`store_postgres::maintenance`). The
//! manifest holds the engine, the schema's version (last migration applied), the rows of every
//! table and the audit chains' heads, all read in the snapshot the payload was taken from, and
//! the payload's length and SHA-256. A restore goes to the same engine only.

use anyhow::{Context, Result, anyhow, bail};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;
use store::StoreError;
use store::schema::{Contents, Migration, SchemaState};

const MAGIC: &str = "SPORTELLO-BACKUP 1";

/// zstd's level: 3 (its default) compresses a SQLite file about 4 to 1 at hundreds of MB/s.
const ZSTD_LEVEL: i32 = 3;

#[derive(clap::Args)]
pub struct BackupArgs {
    /// The backup file to write; with --verify the one to check; with --genera-chiave the
    /// private key file to make.
    pub file: PathBuf,
    /// Check FILE without writing anything: decrypt it, compare its length and SHA-256 with
    /// the manifest, and its rows with the manifest's counts.
    #[arg(long)]
    pub verify: bool,
    /// The age private key (identity) that opens backups (default: `[backup] identity_file`).
    #[arg(long, value_name = "FILE")]
    pub identity: Option<PathBuf>,
    /// Make a new key pair: the private key into FILE (to keep off the server), the public
    /// key printed for `[backup] recipient`.
    #[arg(long, conflicts_with = "verify")]
    pub genera_chiave: bool,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// The backup file.
    pub file: PathBuf,
    /// The age private key (identity) that opens it (default: `[backup] identity_file`).
    #[arg(long, value_name = "FILE")]
    pub identity: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
enum Engine {
    Sqlite,
    Postgresql,
}

impl Engine {
    fn of(url: &str) -> Result<Engine> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Engine::Postgresql)
        } else if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else {
            bail!("l'indirizzo del database deve iniziare con sqlite:// o postgres://")
        }
    }

    fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "SQLite",
            Engine::Postgresql => "PostgreSQL",
        }
    }
}

/// What a backup says of itself, readable once decrypted, before the payload.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Manifest {
    format: u32,
    engine: Engine,
    /// The version of Sportello that made it.
    sportello: String,
    #[serde(with = "time::serde::rfc3339")]
    created_at: time::OffsetDateTime,
    #[serde(flatten)]
    contents: Contents,
    payload_bytes: u64,
    payload_sha256: String,
}

impl Manifest {
    fn rows(&self) -> i64 {
        self.contents.tables.values().sum()
    }

    fn schema(&self) -> String {
        self.contents
            .schema
            .as_ref()
            .map_or_else(|| "vuoto".to_owned(), ToString::to_string)
    }
}

/// A store error's own words (an `Other` carries an Italian sentence).
fn plain(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Other(m) => anyhow!(m),
        e => anyhow!(e),
    }
}

/// Where the database at `url` stands against this binary's migrations, without changing it.
pub async fn schema_state(url: &str) -> Result<SchemaState> {
    match Engine::of(url)? {
        Engine::Sqlite => store_sqlite::maintenance::schema_state(url).await,
        Engine::Postgresql => store_postgres::maintenance::schema_state(url).await,
    }
    .map_err(plain)
}

/// Refuses, before anything opens it, a database migrated by a newer Sportello.
pub async fn check_schema(url: &str) -> Result<()> {
    schema_state(url).await?.check_known().map_err(plain)
}

/// `sportello migrate --dry-run`: the migrations `migrate` would apply, none applied.
pub async fn dry_run(url: &str) -> Result<()> {
    let state = schema_state(url).await?;
    state.check_known().map_err(plain)?;
    let now = state
        .version()
        .map_or_else(|| "vuoto".to_owned(), ToString::to_string);
    if state.pending.is_empty() {
        println!("Schema del database: {now}. Nessuna migrazione da applicare.");
        return Ok(());
    }
    println!(
        "Schema del database: {now}. Migrazioni da applicare ({}), nessuna applicata ora:",
        state.pending.len()
    );
    for m in &state.pending {
        println!("  {m}");
    }
    Ok(())
}

/// `sportello backup …`.
pub async fn run(cfg: &crate::config::Config, args: &BackupArgs) -> Result<()> {
    if args.genera_chiave {
        return generate_key(&args.file);
    }
    if args.verify {
        return verify(&args.file, &identity_path(cfg, args.identity.as_deref())?).await;
    }
    check_schema(&cfg.database.url).await?;
    let recipient = cfg.backup.recipient.as_deref().context(
        "manca backup.recipient nella configurazione: la chiave pubblica age (age1…) a cui \
         cifrare le copie (sportello backup --genera-chiave FILE ne crea una)",
    )?;
    let recipient: age::pq::Recipient = recipient
        .trim()
        .parse()
        .map_err(|e| anyhow!("backup.recipient: non è una chiave pubblica age (age1…): {e}"))?;
    write(&cfg.database.url, &recipient, &args.file).await
}

fn identity_path(cfg: &crate::config::Config, given: Option<&Path>) -> Result<PathBuf> {
    given
        .map(Path::to_path_buf)
        .or_else(|| cfg.backup.identity_file.clone())
        .context(
            "manca la chiave privata che apre le copie: --identity FILE o backup.identity_file \
             nella configurazione",
        )
}

/// A new file readable by its owner only; never over an existing one.
fn create_private(path: &Path) -> Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .with_context(|| format!("impossibile creare {}", path.display()))
}

/// `sportello backup --genera-chiave FILE`.
fn generate_key(path: &Path) -> Result<()> {
    use age::secrecy::ExposeSecret;
    let identity = age::pq::Identity::generate();
    let recipient = identity.to_public();
    let mut file = create_private(path)?;
    writeln!(
        file,
        "# Sportello: chiave privata delle copie di sicurezza.\n# public key: {recipient}\n{}",
        identity.to_string().expose_secret()
    )?;
    file.sync_all()?;
    println!(
        "Chiave privata scritta in {}: conservarla fuori dal server (serve solo a verificare e \
         ripristinare le copie).\nNella configurazione del server:\n[backup]\nrecipient = \"{recipient}\"",
        path.display()
    );
    Ok(())
}

/// Length and SHA-256 of a file.
fn digest_file(path: &Path) -> Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((total, hex::encode(hasher.finalize())))
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// Takes the consistent copy, then writes FILE (through a temporary file beside it, renamed
/// at the end: a backup interrupted leaves no half file under the name).
async fn write(url: &str, recipient: &age::pq::Recipient, out: &Path) -> Result<()> {
    let started = Instant::now();
    let engine = Engine::of(url)?;
    if out.exists() {
        bail!("{} esiste già: scegliere un altro nome", out.display());
    }
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".sportello-backup-")
        .tempdir_in(dir)
        .with_context(|| format!("cartella {}", dir.display()))?;
    let payload = tmp.path().join("payload");
    let contents = match engine {
        Engine::Sqlite => store_sqlite::maintenance::snapshot(url, &payload)
            .await
            .map_err(plain)?,
        Engine::Postgresql => {
            let mut w = BufWriter::new(create_private(&payload)?);
            let c = store_postgres::maintenance::dump(url, &mut w)
                .await
                .map_err(plain)?;
            w.flush()?;
            c
        }
    };
    let snapshot_secs = started.elapsed().as_secs_f64();
    let (payload_bytes, payload_sha256) = digest_file(&payload)?;
    let manifest = Manifest {
        format: 1,
        engine,
        sportello: env!("CARGO_PKG_VERSION").to_owned(),
        created_at: time::OffsetDateTime::now_utc(),
        contents,
        payload_bytes,
        payload_sha256,
    };
    seal(out, tmp.path(), recipient, &manifest, &payload)?;
    let size = std::fs::metadata(out)?.len();
    println!(
        "Copia di sicurezza scritta in {} ({}, dal database {} di {}): schema {}, {} tabelle, \
         {} righe, {} catene del registro; istantanea in {snapshot_secs:.1} s, totale {:.1} s.",
        out.display(),
        megabytes(size),
        engine.name(),
        megabytes(payload_bytes),
        manifest.schema(),
        manifest.contents.tables.len(),
        manifest.rows(),
        manifest.contents.audit_heads.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Writes the backup file `out` (through `tmp`, renamed at the end): the manifest and the
/// payload, compressed, encrypted to `recipient`.
fn seal(
    out: &Path,
    tmp: &Path,
    recipient: &age::pq::Recipient,
    manifest: &Manifest,
    payload: &Path,
) -> Result<()> {
    let partial = tmp.join("backup");
    {
        let encryptor =
            age::Encryptor::with_recipients(std::iter::once(recipient as &dyn age::Recipient))
                .map_err(|e| anyhow!("cifratura: {e}"))?;
        let mut w = encryptor.wrap_output(BufWriter::new(create_private(&partial)?))?;
        writeln!(w, "{MAGIC}")?;
        writeln!(w, "{}", serde_json::to_string(manifest)?)?;
        let mut z = zstd::Encoder::new(&mut w, ZSTD_LEVEL)?;
        std::io::copy(&mut std::fs::File::open(payload)?, &mut z)?;
        z.finish()?;
        let file = w.finish()?.into_inner().map_err(|e| anyhow!("{e}"))?;
        file.sync_all()?;
    }
    std::fs::rename(&partial, out)
        .with_context(|| format!("impossibile scrivere {}", out.display()))
}

/// A reader's failure inside the encrypted stream: age authenticates every chunk, so a changed
/// or cut byte is found here.
fn tampered(file: &Path, e: &std::io::Error) -> anyhow::Error {
    anyhow!(
        "la copia {} è alterata o troncata: il contenuto non supera il controllo di integrità \
         ({e}); non usarla",
        file.display()
    )
}

/// Decrypts FILE with the identity, reads its manifest; the payload follows, decompressed.
fn open(file: &Path, identity: &Path) -> Result<(Manifest, impl Read)> {
    let identities = age::IdentityFile::from_file(identity.to_string_lossy().into_owned())
        .with_context(|| format!("chiave {}: illeggibile", identity.display()))?
        .into_identities()
        .map_err(|e| anyhow!("chiave {}: non è una chiave age: {e}", identity.display()))?;
    let input = BufReader::new(
        std::fs::File::open(file)
            .with_context(|| format!("impossibile aprire {}", file.display()))?,
    );
    let not_a_backup = || {
        anyhow!(
            "{} non è una copia di Sportello leggibile: alterata, troncata o di un altro formato",
            file.display()
        )
    };
    let decrypt_error = |e: age::DecryptError| match e {
        age::DecryptError::NoMatchingKeys => anyhow!(
            "la chiave {} non apre la copia {}: la copia è cifrata per un'altra chiave \
             (backup.recipient di quando fu fatta)",
            identity.display(),
            file.display()
        ),
        age::DecryptError::Io(e) => anyhow!("lettura di {}: {e}", file.display()),
        _ => not_a_backup(),
    };
    let reader = age::Decryptor::new(input)
        .map_err(decrypt_error)?
        .decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
        .map_err(decrypt_error)?;
    let mut reader = BufReader::new(reader);
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .map_err(|e| tampered(file, &e))?;
    if line.trim_end() != MAGIC {
        return Err(not_a_backup());
    }
    line.clear();
    reader
        .read_line(&mut line)
        .map_err(|e| tampered(file, &e))?;
    let manifest: Manifest = serde_json::from_str(&line).map_err(|_| not_a_backup())?;
    let payload = zstd::Decoder::with_buffer(reader)?;
    Ok((manifest, payload))
}

/// Decompresses the payload into `dest`, and checks its length and SHA-256 against the
/// manifest.
fn unpack(file: &Path, manifest: &Manifest, mut payload: impl Read, dest: &Path) -> Result<()> {
    let mut out = BufWriter::new(create_private(dest)?);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = payload.read(&mut buf).map_err(|e| tampered(file, &e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n])?;
        total += n as u64;
    }
    out.flush()?;
    let sha = hex::encode(hasher.finalize());
    if total != manifest.payload_bytes || sha != manifest.payload_sha256 {
        bail!(
            "la copia {} è alterata: il contenuto ({total} byte, SHA-256 {sha}) non è quello del \
             manifesto ({} byte, SHA-256 {}); non usarla",
            file.display(),
            manifest.payload_bytes,
            manifest.payload_sha256
        );
    }
    Ok(())
}

/// Names the first difference between what the manifest promises and what was found.
fn compare(expected: &Contents, found: &Contents) -> Result<()> {
    if expected.schema != found.schema {
        bail!(
            "schema: atteso {:?}, trovato {:?}",
            expected.schema,
            found.schema
        );
    }
    for (table, rows) in &expected.tables {
        let got = found.tables.get(table).copied();
        if got != Some(*rows) {
            bail!(
                "tabella {table}: attese {rows} righe, trovate {}",
                got.map_or_else(|| "nessuna (tabella assente)".to_owned(), |n| n.to_string())
            );
        }
    }
    if let Some(extra) = found
        .tables
        .keys()
        .find(|t| !expected.tables.contains_key(*t))
    {
        bail!("tabella {extra}: non è nel manifesto");
    }
    if expected.audit_heads != found.audit_heads {
        bail!("le teste delle catene del registro non sono quelle del manifesto");
    }
    Ok(())
}

/// The migrations this binary knows, for the engine.
fn known(engine: Engine) -> Vec<Migration> {
    match engine {
        Engine::Sqlite => store_sqlite::maintenance::known(),
        Engine::Postgresql => store_postgres::maintenance::known(),
    }
}

/// Refuses a backup whose schema this binary does not know.
fn check_backup_schema(manifest: &Manifest) -> Result<()> {
    let known = known(manifest.engine);
    match &manifest.contents.schema {
        Some(s) if !known.iter().any(|k| k.version == s.version) => Err(anyhow!(
            "copia non ripristinabile con questo programma: {}",
            store::schema::newer_schema(s, known.last())
        )),
        _ => Ok(()),
    }
}

/// `sportello backup --verify FILE`.
async fn verify(file: &Path, identity: &Path) -> Result<()> {
    let started = Instant::now();
    let (manifest, payload) = open(file, identity)?;
    let tmp = tempfile::tempdir()?;
    let dest = tmp.path().join("payload");
    unpack(file, &manifest, payload, &dest)?;
    let found = match manifest.engine {
        Engine::Sqlite => {
            store_sqlite::maintenance::contents(&format!("sqlite://{}", dest.display()))
                .await
                .map_err(plain)?
        }
        Engine::Postgresql => {
            let tables = store_postgres::maintenance::count_rows(&mut BufReader::new(
                std::fs::File::open(&dest)?,
            ))
            .map_err(plain)?;
            // The export leaves out the migrations' bookkeeping and reads no hash: those the
            // manifest has are taken as found.
            let mut tables = tables;
            for (t, n) in &manifest.contents.tables {
                tables.entry(t.clone()).or_insert(*n);
            }
            Contents {
                tables,
                ..manifest.contents.clone()
            }
        }
    };
    compare(&manifest.contents, &found).map_err(|e| {
        anyhow!(
            "la copia {} non corrisponde al suo manifesto: {e}",
            file.display()
        )
    })?;
    let note = match check_backup_schema(&manifest) {
        Ok(()) => String::new(),
        Err(e) => format!("\nAttenzione: {e}"),
    };
    println!(
        "Copia {} verificata in {:.1} s: fatta il {} da Sportello {}, database {}, schema {}, \
         {} tabelle, {} righe, {} catene del registro; SHA-256 del contenuto {} corretto.{note}",
        file.display(),
        started.elapsed().as_secs_f64(),
        domain::localtime::format_date_time(manifest.created_at),
        manifest.sportello,
        manifest.engine.name(),
        manifest.schema(),
        manifest.contents.tables.len(),
        manifest.rows(),
        manifest.contents.audit_heads.len(),
        manifest.payload_sha256
    );
    Ok(())
}

/// `sportello restore FILE --database URL`.
pub async fn restore(
    cfg: &crate::config::Config,
    target: Option<&str>,
    args: &RestoreArgs,
) -> Result<()> {
    let url = target.context(
        "indicare il database di destinazione con --database URL: il ripristino non usa quello \
         della configurazione",
    )?;
    let identity = identity_path(cfg, args.identity.as_deref())?;
    restore_from(&args.file, &identity, url).await
}

async fn restore_from(file: &Path, identity: &Path, url: &str) -> Result<()> {
    let started = Instant::now();
    let engine = Engine::of(url)?;
    let (manifest, payload) = open(file, identity)?;
    if manifest.engine != engine {
        bail!(
            "la copia è di un database {}: si ripristina solo in un database {} (il ripristino \
             tra SQLite e PostgreSQL non è previsto)",
            manifest.engine.name(),
            manifest.engine.name()
        );
    }
    check_backup_schema(&manifest)?;
    let empty = match engine {
        Engine::Sqlite => store_sqlite::maintenance::is_empty(url).await,
        Engine::Postgresql => store_postgres::maintenance::is_empty(url).await,
    }
    .map_err(plain)?;
    if !empty {
        return Err(plain(store::schema::not_empty()));
    }
    // Beside the SQLite target (same disk as the result), else in the system's temporary
    // folder.
    let tmp = match engine {
        Engine::Sqlite => {
            let db = store_sqlite::maintenance::file_of(url).map_err(plain)?;
            let dir = match db.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => PathBuf::from("."),
            };
            std::fs::create_dir_all(&dir)?;
            tempfile::Builder::new()
                .prefix(".sportello-restore-")
                .tempdir_in(dir)?
        }
        Engine::Postgresql => tempfile::tempdir()?,
    };
    let dest = tmp.path().join("payload");
    unpack(file, &manifest, payload, &dest)?;
    let restored = match engine {
        Engine::Sqlite => store_sqlite::maintenance::restore(&dest, url).await,
        Engine::Postgresql => {
            store_postgres::maintenance::restore(
                &mut BufReader::new(std::fs::File::open(&dest)?),
                url,
                manifest.contents.schema.as_ref().map(|s| s.version),
            )
            .await
        }
    }
    .map_err(plain)?;
    compare(&manifest.contents, &restored)
        .map_err(|e| anyhow!("il database ripristinato non corrisponde alla copia: {e}"))?;
    println!(
        "Ripristino completato in {:.1} s: schema {}, {} tabelle, {} righe e {} catene del \
         registro identiche alla copia del {}.\nLa chiave del registro non è nella copia: con \
         quella conservata a parte (audit.key_file) `sportello audit verify` controlla le catene; \
         all'avvio il programma applica le migrazioni successive, se ce ne sono.",
        started.elapsed().as_secs_f64(),
        manifest.schema(),
        manifest.contents.tables.len(),
        manifest.rows(),
        manifest.contents.audit_heads.len(),
        domain::localtime::format_date_time(manifest.created_at)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A backup made by a newer Sportello (its schema has a migration this binary does not
    /// know) is refused before anything is written; so is one from the other engine.
    #[tokio::test]
    async fn a_backup_with_a_newer_schema_is_not_restored() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("chiave.txt");
        generate_key(&key).unwrap();
        let identity = std::fs::read_to_string(&key).unwrap();
        let identity: age::pq::Identity = identity
            .lines()
            .find(|l| l.starts_with("AGE-SECRET-KEY-"))
            .unwrap()
            .parse()
            .unwrap();
        let payload = dir.path().join("payload");
        std::fs::write(&payload, b"non importa").unwrap();
        let (payload_bytes, payload_sha256) = digest_file(&payload).unwrap();
        let manifest = Manifest {
            format: 1,
            engine: Engine::Sqlite,
            sportello: "9.9.9".into(),
            created_at: time::OffsetDateTime::now_utc(),
            contents: Contents {
                schema: Some(Migration {
                    version: 9999,
                    description: "dal futuro".into(),
                }),
                tables: std::collections::BTreeMap::new(),
                audit_heads: Vec::new(),
            },
            payload_bytes,
            payload_sha256,
        };
        let file = dir.path().join("futura.sportello");
        seal(
            &file,
            dir.path(),
            &identity.to_public(),
            &manifest,
            &payload,
        )
        .unwrap();
        let target = format!("sqlite://{}/r/s.db", dir.path().display());
        let err = restore_from(&file, &key, &target)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("più recente") && err.contains("9999 «dal futuro»"),
            "{err}"
        );
        assert!(!dir.path().join("r/s.db").exists());
        let err = restore_from(&file, &key, "postgres://nessuno@127.0.0.1:1/x")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("tra SQLite e PostgreSQL"), "{err}");
    }
}
