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

/// The WaaS API of the demo's ente, opened by vouchers the demo signs itself as the PDND
/// would: prints one (valid 24 hours) and the `curl` command that reads the flows with it.
pub async fn with_waas(
    store: &app::Store,
    mut cfg: web::WebConfig,
    base: &str,
) -> Result<web::WebConfig> {
    let org = demo_org(store).await?;
    let key = oidc::RsaKey::generate().map_err(|e| anyhow!("chiave PDND di prova: {e}"))?;
    let audience = format!("{base}/waas/{}/v1", org.code);
    let now = app::Clock::default().now().unix_timestamp();
    let voucher = oidc::pdnd::sign_voucher(
        &key,
        &serde_json::json!({ "iss": DEMO_PDND, "aud": audience, "client_id": "inps-demo",
                             "sub": "inps-demo", "purposeId": "siuss-demo",
                             "jti": uuid::Uuid::now_v7().to_string(),
                             "iat": now, "nbf": now, "exp": now + 86_400 }),
    )
    .map_err(|e| anyhow!("voucher PDND di prova: {e}"))?;
    println!("WaaS SIUSS per l'INPS (PDND simulata dalla demo, voucher valido 24 ore):");
    println!("  curl -H 'Authorization: Bearer {voucher}' '{audience}/flussi?since=0&limit=10'");
    cfg.waas = Some(web::waas::WaasConfig {
        issuer: DEMO_PDND.into(),
        keys: oidc::Jwks {
            keys: vec![key.public_jwk(oidc::KeyUse::Sig)],
        },
        per_minute: 6_000,
        enti: [(
            org.code.as_str().to_owned(),
            web::waas::WaasEnte {
                audience,
                clients: vec!["inps-demo".into()],
            },
        )]
        .into(),
    });
    Ok(cfg)
}

/// The issuer of the demo's vouchers.
const DEMO_PDND: &str = "pdnd-demo.sportello.invalid";

async fn demo_org(store: &app::Store) -> Result<store::Organization> {
    store
        .list_orgs()
        .await?
        .into_iter()
        .find(|o| o.kind != domain::OrgKind::Sistema)
        .ok_or_else(|| anyhow!("nessun ente dimostrativo"))
}

/// Starts the provider with applicants of the demo's organization and returns it (it stops
/// when dropped) with the portal's relying party for `base` (`http://127.0.0.1:8328`).
pub async fn start(store: &app::Store, base: &str) -> Result<(TestProvider, oidc::RelyingParty)> {
    let org = demo_org(store).await?;
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
