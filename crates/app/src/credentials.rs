//! Secrets of the accounts: password hashing (Argon2id within a process-wide limiter), random
//! secrets and their SHA-256 for session and API tokens, one-time passwords, TOTP.

use crate::error::Error;
use argon2::password_hash::PasswordHasher;
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Block, Params, Version};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A fresh random secret (256 bits) as URL-safe base64, and the SHA-256 the store keeps.
pub fn new_secret(prefix: &str) -> Result<(String, String), Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Internal(format!("getrandom: {e}")))?;
    let token = format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let hash = hash_token(&token);
    Ok((token, hash))
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A one-time password for a new or reset account: 20 characters from an alphabet without
/// look-alike letters, easy to read out over the phone.
pub fn one_time_password() -> Result<String, Error> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| Error::Internal(format!("getrandom: {e}")))?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    Ok(chars
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// Argon2id with the crate's defaults (m = 19 MiB, t = 2, p = 1: OWASP's recommendation),
/// off the async threads, within the process's [`HashLimiter`].
pub async fn hash_password(password: String) -> Result<String, Error> {
    let mut salt = [0u8; Salt::RECOMMENDED_LENGTH];
    getrandom::fill(&mut salt).map_err(|e| Error::Internal(format!("getrandom: {e}")))?;
    HASHING
        .run(move |memory| {
            let (algorithm, version) = (Algorithm::Argon2id, Version::V0x13);
            argon2_phc(
                password.as_bytes(),
                &salt,
                algorithm,
                version,
                Params::default(),
                memory,
            )
            .map(|h| h.to_string())
            .map_err(|e| Error::Internal(format!("argon2: {e}")))
        })
        .await?
}

/// Verifies a password; with no stored hash (unknown login) it still spends the same time on
/// a dummy hash, so response times do not reveal which logins exist. `Error::Busy` when
/// too many hashes are already running or waiting.
pub async fn verify_password(password: String, hash: Option<String>) -> Result<bool, Error> {
    static DUMMY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        argon2::Argon2::default()
            .hash_password(b"sportello-dummy-password")
            .map(|h| h.to_string())
            .unwrap_or_default()
    });
    let known = hash.is_some();
    let hash = hash.unwrap_or_else(|| DUMMY.clone());
    let ok = HASHING
        .run(move |memory| verify_with(password.as_bytes(), &hash, memory))
        .await?;
    Ok(ok && known)
}

/// Whether `password` matches the PHC string `stored`, computed in `memory`.
fn verify_with(password: &[u8], stored: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(stored) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&stored.salt, &stored.hash) else {
        return false;
    };
    let version = stored.version.unwrap_or(u32::from(Version::default()));
    let (Ok(algorithm), Ok(version), Ok(params)) = (
        Algorithm::try_from(stored.algorithm.as_str()),
        Version::try_from(version),
        Params::try_from(&stored),
    ) else {
        return false;
    };
    // `Output`'s equality is constant-time.
    argon2_phc(password, salt.as_ref(), algorithm, version, params, memory)
        .is_ok_and(|computed| computed.hash.as_ref() == Some(expected))
}

/// Argon2 of `password` as a PHC hash, computed in `memory`: grown to the parameters' size
/// once and kept for the next hash, so the allocator is not asked for 19 MiB per login.
fn argon2_phc(
    password: &[u8],
    salt: &[u8],
    algorithm: Algorithm,
    version: Version,
    params: Params,
    memory: &mut Vec<Block>,
) -> Result<PasswordHash, String> {
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut out = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    argon2::Argon2::new(algorithm, version, params.clone())
        .hash_password_into_with_memory(password, salt, &mut out, &mut memory[..blocks])
        .map_err(|e| e.to_string())?;
    Ok(PasswordHash {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
        salt: Some(Salt::new(salt).map_err(|e| e.to_string())?),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    })
}

/// The one limiter every password hash of the process goes through.
static HASHING: std::sync::LazyLock<HashLimiter> =
    std::sync::LazyLock::new(HashLimiter::for_this_machine);

/// Bounds the Argon2 hashes running at once, each of which holds 19 MiB: one per core (more
/// would only share the cores), a queue of [`HashLimiter::WAITING_PER_PERMIT`] per core, and
/// at most [`HashLimiter::MAX_WAIT`] in it. Beyond that a login is answered 503 at once
/// instead of taking memory. The work memory is kept for reuse, one area per permit at most,
/// so the process holds at most cores × 19 MiB for hashing, however many logins come.
pub struct HashLimiter {
    permits: Arc<Semaphore>,
    /// Work areas not in use; a permit holder takes one (or makes one) and puts it back.
    memory: Mutex<Vec<Vec<Block>>>,
    waiting: AtomicUsize,
    max_waiting: usize,
    max_wait: Duration,
}

/// A place in the queue, given back however the wait ends (a client that goes away
/// included).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl HashLimiter {
    pub const WAITING_PER_PERMIT: usize = 4;
    pub const MAX_WAIT: Duration = Duration::from_secs(2);

    pub fn new(permits: usize, max_waiting: usize, max_wait: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(permits)),
            memory: Mutex::new(Vec::new()),
            waiting: AtomicUsize::new(0),
            max_waiting,
            max_wait,
        }
    }

    fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        Self::new(cores, cores * Self::WAITING_PER_PERMIT, Self::MAX_WAIT)
    }

    /// A permit to hash, or `Error::Busy` when the queue is full or the wait too long.
    pub async fn acquire(&self) -> Result<OwnedSemaphorePermit, Error> {
        if let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Error::Busy);
        }
        let _place = Waiting(&self.waiting);
        match tokio::time::timeout(self.max_wait, Arc::clone(&self.permits).acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) | Err(_) => Err(Error::Busy),
        }
    }

    /// How many callers wait for a permit.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// Runs `work` on a blocking thread with a permit and a work area, both held until the
    /// work ends even if the request that asked for it is dropped meanwhile. The area goes
    /// back before the permit, so there are never more areas than permits.
    async fn run<T: Send + 'static>(
        &'static self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, Error> {
        let permit = self.acquire().await?;
        let mut memory = self.spare_memory().pop().unwrap_or_default();
        tokio::task::spawn_blocking(move || {
            let out = work(&mut memory);
            self.spare_memory().push(memory);
            drop(permit);
            out
        })
        .await
        .map_err(|e| Error::Internal(e.to_string()))
    }

    fn spare_memory(&self) -> std::sync::MutexGuard<'_, Vec<Vec<Block>>> {
        self.memory.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// TOTP (RFC 6238: SHA-1, 6 digits, 30 s, one step of clock skew) for a user's secret.
pub fn totp(secret_b32: &str, login: &str) -> Result<totp_rs::Totp, Error> {
    let secret = totp_rs::Secret::try_from_base32(secret_b32)
        .map_err(|_| Error::Internal("stored TOTP secret is not base32".into()))?;
    totp_rs::Builder::new()
        .with_secret(secret)
        .with_issuer(Some("Sportello"))
        .with_account_name(login)
        .build()
        .map_err(|e| Error::Internal(format!("totp: {e}")))
}

pub fn new_totp_secret() -> Result<String, Error> {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| Error::Internal(format!("getrandom: {e}")))?;
    Ok(totp_rs::Secret::from(bytes).to_base32())
}

/// The time step of `code` when it is right for the secret now (one step of skew either
/// way), for the caller to accept each step once.
pub fn totp_step(secret_b32: &str, login: &str, code: &str, unix: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 {
        return None;
    }
    let step = totp(secret_b32, login).ok()?.check(&code, unix)?;
    i64::try_from(step).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_hash_limiter_refuses_beyond_its_permits_and_queue() {
        let limiter = Arc::new(HashLimiter::new(1, 1, Duration::from_secs(600)));
        let held = limiter.acquire().await.unwrap();
        let queued = tokio::spawn({
            let limiter = Arc::clone(&limiter);
            async move { limiter.acquire().await.is_ok() }
        });
        while limiter.waiting() < 1 {
            tokio::task::yield_now().await;
        }
        assert!(
            matches!(limiter.acquire().await, Err(Error::Busy)),
            "no permit and a full queue: refused at once"
        );
        drop(held);
        assert!(queued.await.unwrap(), "the one waiting gets the permit");
        assert_eq!(limiter.waiting(), 0);
    }

    #[tokio::test]
    async fn hashes_verify_both_ways_with_the_crates_own() {
        use argon2::password_hash::PasswordVerifier;
        let phrase = "una frase di prova";
        let ours = hash_password(phrase.into()).await.unwrap();
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        assert!(
            verify_password(phrase.into(), Some(ours.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify_password("un'altra".into(), Some(ours.clone()))
                .await
                .unwrap()
        );
        let argon = argon2::Argon2::default();
        assert!(
            argon
                .verify_password(phrase.as_bytes(), ours.as_str())
                .is_ok()
        );
        let theirs = argon.hash_password(phrase.as_bytes()).unwrap().to_string();
        assert!(verify_password(phrase.into(), Some(theirs)).await.unwrap());
        assert!(
            !verify_password(phrase.into(), Some("non è un hash".into()))
                .await
                .unwrap()
        );
        assert!(!verify_password(phrase.into(), None).await.unwrap());
    }

    #[tokio::test]
    async fn a_wait_that_lasts_too_long_is_refused() {
        let limiter = HashLimiter::new(1, 1, Duration::ZERO);
        let _held = limiter.acquire().await.unwrap();
        assert!(matches!(limiter.acquire().await, Err(Error::Busy)));
        assert_eq!(limiter.waiting(), 0, "the place in the queue is given back");
    }
}
