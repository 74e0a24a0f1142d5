//! The audit chain's key: 32 random bytes in a file outside the database (`audit.key_file`),
//! made at the first start. Whoever can write the database but not read this file cannot
//! re-hash a rewritten chain; a copy belongs with the backups, kept apart from the database's.

use anyhow::{Context, Result, anyhow};
use domain::audit::AuditKey;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `audit.key` beside a SQLite database file; `./data/audit.key` for PostgreSQL, an in-memory
/// database or a database in the current folder.
pub fn default_path(database_url: &str) -> PathBuf {
    app::sqlite_parent_dir(database_url)
        .map_or_else(|| PathBuf::from("data"), PathBuf::from)
        .join("audit.key")
}

/// Reads the key, or makes it when the file does not exist yet (then `true`: the caller checks
/// that the database holds no row keyed by a key now missing, see [`settle_new_key`]). A file
/// that exists but does not hold a key is refused: making a new key would leave every row
/// hashed so far unverifiable.
pub fn load_or_create(path: &Path) -> Result<(AuditKey, bool)> {
    match std::fs::read_to_string(path) {
        Ok(text) => AuditKey::parse(&text)
            .map(|k| (k, false))
            .map_err(|e| anyhow!("chiave del registro {}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(path).map(|k| (k, true)),
        Err(e) => {
            Err(e).with_context(|| format!("chiave del registro {}: illeggibile", path.display()))
        }
    }
}

fn create(path: &Path) -> Result<AuditKey> {
    let context = || {
        format!(
            "chiave del registro {}: impossibile crearla",
            path.display()
        )
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(context)?;
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow!("getrandom: {e}"))?;
    let key = AuditKey::from_bytes(bytes);
    let mut options = std::fs::OpenOptions::new();
    // create_new: never overwrite a key another process has just made.
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(context)?;
    writeln!(file, "{}", key.to_hex()).with_context(context)?;
    file.sync_all().with_context(context)?;
    eprintln!(
        "Creata la chiave del registro delle operazioni in {}: conservarne una copia fuori dal \
         server, lontano dalle copie del database.",
        path.display()
    );
    Ok(key)
}

/// Settles a key just made against the log it is for, given the log's newest row and whether
/// it is keyed. An empty log: the key stands as made (every chain keyed from its first row). A
/// log of unkeyed rows only (an upgrade): the key file says they are admitted
/// ([`domain::audit::LEGACY_LINE`]). A keyed log means the key file went missing (lost, or
/// another working folder): the new key is removed and the command refused, since rows written
/// with it would never verify beside the old ones.
pub fn settle_new_key(
    path: &Path,
    key: AuditKey,
    newest_row_keyed: Option<bool>,
) -> Result<AuditKey> {
    match newest_row_keyed {
        None => return Ok(key),
        Some(false) => {
            let mut file = std::fs::OpenOptions::new()
                .append(true)
                .open(path)
                .with_context(|| format!("chiave del registro {}", path.display()))?;
            writeln!(file, "{}", domain::audit::LEGACY_LINE)
                .and_then(|()| file.sync_all())
                .with_context(|| format!("chiave del registro {}", path.display()))?;
            return Ok(key.admitting_legacy());
        }
        Some(true) => {}
    }
    let _ = std::fs::remove_file(path);
    Err(anyhow!(
        "chiave del registro {} mancante: il registro del database è firmato con un'altra \
         chiave. Ripristina il file della chiave dal backup, o indica dove si trova con \
         audit.key_file",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_sits_beside_a_sqlite_database() {
        assert_eq!(
            default_path("sqlite://srv/sportello/s.db"),
            Path::new("srv/sportello/audit.key")
        );
        assert_eq!(
            default_path("postgres://app@db/sportello"),
            Path::new("data/audit.key")
        );
        assert_eq!(default_path("sqlite::memory:"), Path::new("data/audit.key"));
    }

    #[test]
    fn a_key_is_made_once_private_and_a_malformed_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k/audit.key");
        let (made, created) = load_or_create(&path).unwrap();
        assert!(created);
        assert_eq!(load_or_create(&path).unwrap(), (made, false));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "non una chiave").unwrap();
        let err = load_or_create(&path).unwrap_err().to_string();
        assert!(
            err.contains("audit.key") && err.contains("esadecimali"),
            "{err}"
        );
    }
}
