//! `sportello pagamenti sepa --mese AAAA-MM FILE`: the SEPA credit transfer file (ISO 20022
//! pain.001.001.09) of an ente's approved payment lists of a month, through the service of
//! the page (the same payments, XSD check and audit row), as «sistema».

use anyhow::{Context, Result, anyhow, bail};
use app::{Actor, Services};
use domain::{OrgCode, OrgKind};
use std::path::PathBuf;
use store::{OrgStore, Organization};
use time::OffsetDateTime;

#[derive(clap::Subcommand)]
pub enum PaymentsCmd {
    /// Write the SEPA file of the month's approved payment lists.
    Sepa {
        /// The month: AAAA-MM.
        #[arg(long, value_name = "AAAA-MM")]
        mese: String,
        /// The ente (its code); may be left out when the installation has one comune or ambito.
        #[arg(long, value_name = "CODICE")]
        ente: Option<String>,
        /// Where the file goes.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

pub async fn run(store: &app::Store, now: OffsetDateTime, cmd: PaymentsCmd) -> Result<()> {
    let PaymentsCmd::Sepa { mese, ente, file } = cmd;
    let month = crate::siuss::month(&mese).map_err(|_| {
        anyhow!("mese «{mese}» non valido: scrivere anno e mese, per esempio 2026-03")
    })?;
    let org: Organization = match &ente {
        Some(code) => store
            .get_org_by_code(&OrgCode::parse(code)?)
            .await
            .with_context(|| format!("ente «{code}» non trovato"))?,
        None => {
            let mut orgs: Vec<Organization> = store
                .list_orgs()
                .await?
                .into_iter()
                .filter(|o| {
                    o.active && matches!(o.kind, OrgKind::Comune | OrgKind::AmbitoTerritoriale)
                })
                .collect();
            if orgs.len() != 1 {
                bail!(
                    "indicare l'ente con --ente CODICE: ce ne sono {}",
                    orgs.len()
                );
            }
            orgs.remove(0)
        }
    };
    let services = Services::new(store.clone(), &app::mail::MailConfig::default());
    let actor = Actor::system(org.clone(), now);
    let Some(sepa) = app::payment::sepa(&services, &actor, month)
        .await
        .map_err(|e| anyhow!("{e}"))?
    else {
        bail!(
            "ente {} «{}», {mese}: nessuna distinta approvata con pagamenti da disporre",
            org.code,
            org.name
        );
    };
    std::fs::write(&file, &sepa.xml)
        .with_context(|| format!("file {} non scritto", file.display()))?;
    println!(
        "Ente {} «{}», {mese}: {} bonifici per {} in {} (pain.001.001.09, valido)",
        org.code,
        org.name,
        sepa.payments,
        sepa.total.format(),
        file.display()
    );
    Ok(())
}
