//! `sportello siuss esporta`: an ente's SIUSS records of a month as the XML files INPS takes
//! for upload, through the service of the page (the same records, checks and audit row), as
//! «sistema», for scheduled jobs.

use anyhow::{Context, Result, anyhow, bail};
use app::{Actor, Services};
use domain::{OrgCode, OrgKind};
use std::path::PathBuf;
use store::{OrgStore, Organization};
use time::{Date, Month, OffsetDateTime};

#[derive(clap::Subcommand)]
pub enum SiussCmd {
    /// Write the month's valid records (PS, PSA, SINA, SINBA) as upload files into a folder,
    /// one set per ente; the invalid ones are listed with the field to fix.
    Esporta {
        /// The month: AAAA-MM.
        #[arg(long, value_name = "AAAA-MM")]
        periodo: String,
        /// Where the files go (created if missing).
        #[arg(long, value_name = "DIR")]
        cartella: PathBuf,
        /// Only this ente (its code); otherwise every active comune and ambito.
        #[arg(long, value_name = "CODICE")]
        ente: Option<String>,
    },
}

/// The first day of the month written `AAAA-MM`.
pub fn month(raw: &str) -> Result<Date> {
    let bad = || anyhow!("periodo «{raw}» non valido: scrivere anno e mese, per esempio 2026-03");
    let (y, m) = raw.trim().split_once('-').ok_or_else(bad)?;
    let year: i32 = y.parse().map_err(|_| bad())?;
    let month: u8 = m.parse().map_err(|_| bad())?;
    if !(1900..=2099).contains(&year) || y.len() != 4 || m.len() != 2 {
        return Err(bad());
    }
    let month = Month::try_from(month).map_err(|_| bad())?;
    Date::from_calendar_date(year, month, 1).map_err(|_| bad())
}

/// The daily progressive after the files of today already in the folder (any ente, any
/// kind: `{ente}.{TIPO}.{AAAAMMGG}.{NNNNNNN}.xml`), so that a second export does not write
/// over the first.
fn next_sequence(dir: &std::path::Path, now: OffsetDateTime) -> Result<u32> {
    let day = format!(
        ".{:04}{:02}{:02}.",
        now.year(),
        u8::from(now.month()),
        now.day()
    );
    let mut last = 0;
    for entry in std::fs::read_dir(dir)
        .with_context(|| format!("cartella {} non leggibile", dir.display()))?
    {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some((_, rest)) = name.split_once(&day)
            && let Some(n) = rest
                .strip_suffix(".xml")
                .and_then(|n| n.parse::<u32>().ok())
        {
            last = last.max(n);
        }
    }
    Ok(last + 1)
}

pub async fn run(store: &app::Store, now: OffsetDateTime, cmd: SiussCmd) -> Result<()> {
    let SiussCmd::Esporta {
        periodo,
        cartella,
        ente,
    } = cmd;
    let first = month(&periodo)?;
    let orgs: Vec<Organization> = match &ente {
        Some(code) => vec![
            store
                .get_org_by_code(&OrgCode::parse(code)?)
                .await
                .with_context(|| format!("ente «{code}» non trovato"))?,
        ],
        None => store
            .list_orgs()
            .await?
            .into_iter()
            .filter(|o| o.active && matches!(o.kind, OrgKind::Comune | OrgKind::AmbitoTerritoriale))
            .collect(),
    };
    if orgs.is_empty() {
        bail!("nessun comune o ambito attivo da esportare");
    }
    std::fs::create_dir_all(&cartella)
        .with_context(|| format!("cartella {} non creata", cartella.display()))?;
    let services = Services::new(store.clone(), &app::mail::MailConfig::default());
    for org in orgs {
        let actor = Actor::system(org.clone(), now);
        let (period, files) =
            app::siuss::export(&services, &actor, first, next_sequence(&cartella, now)?)
                .await
                .map_err(|e| anyhow!("{e}"))?;
        for f in &files {
            let path = cartella.join(&f.name);
            std::fs::write(&path, &f.content)
                .with_context(|| format!("file {} non scritto", path.display()))?;
        }
        let valid: usize = files.iter().map(|f| f.records).sum();
        println!(
            "Ente {} «{}», {periodo}: {valid} record in {} file{}",
            org.code,
            org.name,
            files.len(),
            if files.is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    files
                        .iter()
                        .map(|f| f.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        );
        for r in period.invalid() {
            for p in &r.problems {
                eprintln!(
                    "  non valido: {} di {} — {} ({}): {}",
                    r.kind.as_str(),
                    r.person_name,
                    p.field,
                    p.target.label(),
                    p.message
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::month;

    #[test]
    fn the_period_is_a_year_and_a_month() {
        assert_eq!(
            month("2026-03").ok(),
            Some(time::macros::date!(2026 - 03 - 01))
        );
        for bad in ["2026-3", "2026-13", "26-03", "marzo", "2026-03-01", ""] {
            let e = month(bad).expect_err(bad).to_string();
            assert!(e.contains("periodo"), "{e}");
        }
    }
}
