//! Liveness and readiness, for the service manager and the load balancer.

use crate::AppState;
use crate::error::AppError;
use axum::Router;
use axum::routing::get;
use store::HealthStore;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/ready", get(ready))
}

async fn ready(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<&'static str, AppError> {
    state
        .store
        .ping()
        .await
        .map_err(|_| app::Error::Unavailable)?;
    Ok("ok")
}
