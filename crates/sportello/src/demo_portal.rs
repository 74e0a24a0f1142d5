//! The portal of `serve --demo`: a local identity provider (`oidc::testing`, the same one the
//! tests use) that knows a few of the demo's applicants, so that the sign-in with «SPID» can be
//! tried end to end without joining the federation. It listens on loopback only, and only the
//! demo starts it.

use anyhow::{Result, anyhow};
use domain::application::ApplicationState;
use oidc::testing::{Behaviour, TestIdentity, TestProvider};
use store::{ApplicationFilter, BenefitStore, OrgStore};

/// How many of the demo's applicants the provider offers.
const CITIZENS: usize = 4;

/// Starts the provider with applicants of the demo's organization and returns it (it stops
/// when dropped) with the portal's relying party for `base` (`http://127.0.0.1:8328`).
pub async fn start(store: &app::Store, base: &str) -> Result<(TestProvider, oidc::RelyingParty)> {
    let org = store
        .list_orgs()
        .await?
        .into_iter()
        .find(|o| o.kind != domain::OrgKind::Sistema)
        .ok_or_else(|| anyhow!("nessun ente dimostrativo"))?;
    let filter = ApplicationFilter::every(200);
    let mut identities: Vec<TestIdentity> = Vec::new();
    for v in store.list_applications(org.id, &filter).await? {
        // A draft is not shown on the portal until it is filed.
        let Some(cf) = v
            .codice_fiscale
            .filter(|_| v.app.state != ApplicationState::Draft)
        else {
            continue;
        };
        if identities.iter().all(|i| i.fiscal_number != cf) {
            identities.push(TestIdentity::new(&cf, &v.given_names, &v.surname, None));
        }
        if identities.len() == CITIZENS {
            break;
        }
    }
    for i in &identities {
        println!(
            "Portale: accesso di prova come {} {} ({})",
            i.given_name, i.family_name, i.fiscal_number
        );
    }
    let provider = TestProvider::start(identities, Behaviour::Honest)
        .await
        .map_err(|e| anyhow!("provider di prova: {e}"))?;
    let rp = web::portale::local_relying_party(
        base,
        &org.name,
        provider.provider_config("SPID – provider di prova della demo"),
    )
    .map_err(|e| anyhow!("portale: {e}"))?;
    Ok((provider, rp))
}
