//! The services' one error type. `web` maps it to HTTP; the command line prints it.

use store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("pagina non trovata")]
    NotFound,
    #[error("non hai i permessi per questa operazione")]
    Forbidden,
    #[error("{0}")]
    BadRequest(String),
    /// Someone else changed the record since the form was opened.
    #[error(
        "la scheda è stata modificata da un altro operatore nel frattempo: ricarica la pagina e ripeti la modifica"
    )]
    Conflict,
    #[error("il servizio non è al momento disponibile")]
    Unavailable,
    /// Every password hash the process allows is running or waiting (`credentials::HashLimiter`).
    #[error("troppe richieste di accesso in questo momento: riprova tra qualche secondo.")]
    Busy,
    #[error("errore interno")]
    Internal(String),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Error::NotFound,
            StoreError::Conflict => Error::Conflict,
            StoreError::Unavailable(m) => {
                tracing::error!(error = %m, "database unavailable");
                Error::Unavailable
            }
            other => Error::Internal(other.to_string()),
        }
    }
}
