//! `sportello import anagrafe`: a comune's list of residents into the anagrafe sociale.

use anyhow::{Context, Result, bail};
use app::Actor;
use app::registry::{ImportReport, import_file, parse_comune, summary};
use clap::Subcommand;
use domain::OrgCode;
use std::path::PathBuf;
use std::process::ExitCode;
use store::{ImportStatus, OrgStore};
use time::OffsetDateTime;

#[derive(Subcommand)]
pub enum ImportCmd {
    /// The civil registry (anagrafe comunale): the comune's list of residents, CSV or JSON.
    Anagrafe {
        /// The file (CSV separated by `;`, or JSON); format in docs/anagrafe-import.md.
        file: PathBuf,
        /// The comune: Belfiore code (A794) or ISTAT code (016024).
        #[arg(long)]
        comune: String,
        /// The date the list refers to, YYYY-MM-DD (default: the JSON file's, else today).
        #[arg(long = "data-riferimento")]
        data_riferimento: Option<String>,
        /// The organization's code (default: the one whose comuni include the comune).
        #[arg(long)]
        ente: Option<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Exit 0 when the import completed (rejected rows are listed), 1 when a batch failed, and
/// an error (exit 2) when the file cannot be read at all.
pub async fn run(store: &app::Store, now: OffsetDateTime, cmd: ImportCmd) -> Result<ExitCode> {
    let ImportCmd::Anagrafe {
        file,
        comune,
        data_riferimento,
        ente,
        json,
    } = cmd;
    let code = parse_comune(&comune)
        .with_context(|| format!("«{comune}» non è il codice Belfiore o ISTAT di un comune"))?;
    let org = match ente {
        Some(e) => store
            .get_org_by_code(&OrgCode::parse(&e)?)
            .await
            .with_context(|| format!("ente «{e}» non trovato"))?,
        None => {
            let mut found = Vec::new();
            for o in store.list_orgs().await? {
                if store
                    .org_comuni(o.id)
                    .await?
                    .iter()
                    .any(|c| c.belfiore_code == code.as_str())
                {
                    found.push(o);
                }
            }
            match found.len() {
                0 => bail!(
                    "nessun ente comprende il comune {code}: indicarlo nella scheda dell'ente"
                ),
                1 => found.remove(0),
                _ => bail!(
                    "più enti comprendono il comune {code} ({}): scegliere con --ente",
                    found
                        .iter()
                        .map(|o| o.code.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }
    };
    let reference = match data_riferimento {
        None => None,
        Some(raw) => Some(
            domain::dates::parse_date(&raw)
                .with_context(|| format!("«{raw}» non è una data (AAAA-MM-GG)"))?,
        ),
    };
    let bytes =
        std::fs::read(&file).with_context(|| format!("file {} non leggibile", file.display()))?;
    let file_name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let today = now.date();
    let org_id = org.id;
    let actor = Actor::system(org, now);
    let report = import_file(
        store, org_id, code, &file_name, &bytes, reference, &actor, today, None,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&to_json(&report))?);
    } else {
        print_text(&report);
    }
    Ok(if report.import.status == ImportStatus::Failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_text(r: &ImportReport) {
    let i = &r.import;
    println!("{}", summary(i, &r.comune_name));
    println!("  righe lette               {:>9}", i.rows_read);
    println!("  persone nuove             {:>9}", i.created);
    println!("  persone aggiornate        {:>9}", i.updated);
    println!("  persone invariate         {:>9}", i.unchanged);
    println!("  cancellate dall'anagrafe  {:>9}", i.left);
    println!("  righe scartate            {:>9}", i.rejected);
    for (kind, n) in &i.events {
        println!("  evento {:<19}{n:>9}", kind.as_str());
    }
    if !r.rejections.is_empty() {
        println!("Righe scartate:");
        for x in &r.rejections {
            println!("  riga {}, {}: {}", x.line, x.field, x.reason);
        }
    }
    if let Some(e) = &i.error {
        println!("IMPORT NON COMPLETATO: {e}");
    }
}

fn to_json(r: &ImportReport) -> serde_json::Value {
    let i = &r.import;
    let events: serde_json::Map<String, serde_json::Value> = i
        .events
        .iter()
        .map(|(k, n)| (k.as_str().to_owned(), (*n).into()))
        .collect();
    serde_json::json!({
        "id": i.id.to_string(),
        "comune": i.comune,
        "comune_nome": r.comune_name,
        "data_riferimento": i.reference_date.to_string(),
        "file": i.file_name,
        "sha256": i.file_sha256,
        "stato": i.status.as_str(),
        "primo_import": i.baseline,
        "errore": i.error,
        "righe_lette": i.rows_read,
        "nuove": i.created,
        "aggiornate": i.updated,
        "invariate": i.unchanged,
        "cancellate": i.left,
        "scartate": i.rejected,
        "eventi": events,
        "righe_scartate": r.rejections.iter().map(|x| serde_json::json!({
            "riga": x.line, "colonna": x.field, "motivo": x.reason
        })).collect::<Vec<_>>(),
    })
}
