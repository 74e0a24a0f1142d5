//! People by their name on the pages: histories store who acted by login, the pages show the
//! operator's full name (the login of someone no longer in the organization, «sistema» for
//! the installation).

use crate::AppState;
use crate::error::AppError;
use std::collections::HashMap;
use store::UserStore;
use uuid::Uuid;

/// The full names of an organization's operators, by login.
pub struct Names(HashMap<String, String>);

impl Names {
    pub async fn of_org(state: &AppState, org_id: Uuid) -> Result<Names, AppError> {
        Ok(Names(
            state
                .store
                .list_members(org_id)
                .await?
                .into_iter()
                .map(|m| (m.user.login.to_string(), m.user.full_name))
                .collect(),
        ))
    }

    /// The full name of `login`, or the login itself when it is nobody's here.
    pub fn of(&self, login: &str) -> String {
        self.0
            .get(login)
            .cloned()
            .unwrap_or_else(|| login.to_owned())
    }
}
