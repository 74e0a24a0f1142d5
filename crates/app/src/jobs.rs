//! Background jobs that run once across servers. Time is cut into periods of a job's
//! interval; every server wakes at the start of each period, and the one whose insert of
//! `(job, period)` into `job_run` goes in (INSERT … ON CONFLICT DO NOTHING, on SQLite as on
//! PostgreSQL) runs it; the others find the row and skip. No leader to elect: if the server
//! that claimed a period dies in it, the next period is claimed by whoever is alive. The row
//! then records how the run ended, which the metrics read (`web` `/metrics`).

use crate::{Error, Services};
use std::future::Future;
use std::time::Duration;
use store::ServerStore;

/// The jobs' names in `job_run` and in the metrics.
pub const REMINDERS: &str = "reminders";
pub const SIUSS_EXCHANGE: &str = "siuss_exchange";
pub const STATS: &str = "stats";

/// How long finished runs are kept.
pub const KEPT: Duration = Duration::from_secs(30 * 24 * 3600);

/// This server's name in `job_run`: host name and process id.
pub fn server_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "server".into());
    format!("{host}:{}", std::process::id())
}

/// The period of `now_us` for a job run every `every`: the number of whole intervals since
/// 1970, the same on every server whose clock is right.
pub fn period(now_us: i64, every: Duration) -> String {
    let every_us = i64::try_from(every.as_micros()).unwrap_or(i64::MAX).max(1);
    now_us.div_euclid(every_us).to_string()
}

/// Runs `work` for the current period of `job` if this server claims it: `Ok(None)` when
/// another server (or an earlier run of this one) has it. The outcome is recorded either way.
pub async fn run_once<T, Fut>(
    state: &Services,
    job: &str,
    every: Duration,
    server: &str,
    work: impl FnOnce() -> Fut,
) -> Result<Option<T>, Error>
where
    Fut: Future<Output = Result<T, Error>>,
{
    let now = state.clock.now_us();
    let period = period(now, every);
    if !state.store.claim_job_run(job, &period, server, now).await? {
        return Ok(None);
    }
    let result = work().await;
    let detail = result.as_ref().err().map(ToString::to_string);
    if let Err(e) = state
        .store
        .finish_job_run(
            job,
            &period,
            state.clock.now_us(),
            result.is_ok(),
            detail.as_deref(),
        )
        .await
    {
        tracing::warn!(job, error = %e, "esito del lavoro non registrato");
    }
    result.map(Some)
}

/// How long to sleep until the next period starts, plus up to a second so that the servers
/// do not all knock at once.
fn until_next(every: Duration) -> Duration {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let every_ns = every.as_nanos().max(1);
    let into = now.as_nanos() % every_ns;
    let rest = u64::try_from(every_ns - into).unwrap_or(u64::MAX);
    let mut jitter = [0u8; 2];
    let jitter_ms = getrandom::fill(&mut jitter)
        .map(|()| u64::from(u16::from_le_bytes(jitter)) % 1000)
        .unwrap_or(0);
    Duration::from_nanos(rest) + Duration::from_millis(jitter_ms)
}

/// Runs `work` now and at the start of every period of `every`, on the one server that
/// claims each period, for as long as the process lives; `report` logs what a run did.
pub fn spawn<T, Fut>(
    state: Services,
    job: &'static str,
    every: Duration,
    work: impl Fn(Services) -> Fut + Send + Sync + 'static,
    report: impl Fn(T) + Send + Sync + 'static,
) where
    T: Send + 'static,
    Fut: Future<Output = Result<T, Error>> + Send + 'static,
{
    tokio::spawn(async move {
        let server = server_name();
        loop {
            let s = state.clone();
            match run_once(&state, job, every, &server, || work(s)).await {
                Ok(Some(done)) => report(done),
                Ok(None) => tracing::debug!(job, "lavoro già preso da un altro server"),
                Err(e) => {
                    tracing::warn!(job, error = %e, "lavoro non riuscito: si riprova al prossimo giro")
                }
            }
            tokio::time::sleep(until_next(every)).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_whole_intervals() {
        let five = Duration::from_secs(300);
        assert_eq!(period(0, five), "0");
        assert_eq!(period(299_999_999, five), "0");
        assert_eq!(period(300_000_000, five), "1");
        assert!(until_next(five) <= five + Duration::from_secs(1));
    }
}
