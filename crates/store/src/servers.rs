//! Rows of what several servers on one database share (`ServerStore`): login failure
//! counters, background job runs, messages for the next page, the portal's sign-ins under way.

/// One failure counter of the login throttle (`web::auth::Throttle`). `login` is empty for the
/// per-address counters, `address` for the per-login ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginFailure {
    pub kind: String,
    pub login: String,
    pub address: String,
    pub failures: i64,
    pub last_us: i64,
}

/// One background job's runs so far, for the metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSummary {
    pub job: String,
    /// Runs claimed by any server.
    pub runs: i64,
    /// Runs that ended with a failure.
    pub failures: i64,
    /// When the last run that succeeded ended.
    pub last_success_us: Option<i64>,
}

/// A sign-in to the portal under way: the relying party's pending login as JSON, and the page
/// to go to afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignIn {
    pub created_us: i64,
    pub pending: String,
    pub after_path: String,
}

/// One connection pool of a backend, for the metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolUse {
    pub name: &'static str,
    /// Connections open.
    pub size: u32,
    /// Of which idle.
    pub idle: usize,
    /// The most it opens.
    pub max: u32,
}
