//! `sportello org letterhead`: an organization's letterhead (carta intestata) and logo from
//! the command line, through the services of the page (the same checks), audited as
//! «sistema»; and the demonstration comune's letterhead.

use anyhow::{Context, Result, anyhow, bail};
use app::{Actor, Services};
use domain::letterhead::LetterheadInput;
use std::path::PathBuf;

/// The fields of the letterhead page; a field given replaces the stored one ("" empties it),
/// the others stay.
#[derive(clap::Args, Default)]
pub struct LetterheadArgs {
    /// Organization code.
    pub code: String,
    /// Settore or ufficio, under the organization's name: "Settore Servizi sociali".
    #[arg(long)]
    pub office: Option<String>,
    /// Street and number: "Piazza Matteotti 27".
    #[arg(long)]
    pub address: Option<String>,
    /// CAP, five digits.
    #[arg(long)]
    pub postcode: Option<String>,
    /// Comune with its province: "Bergamo (BG)".
    #[arg(long)]
    pub city: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    /// The protocol's certified mailbox.
    #[arg(long)]
    pub pec: Option<String>,
    /// The office's mailbox for citizens.
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub website: Option<String>,
    /// Opening hours, one line per day or group of days (a new line in the value, or the
    /// option repeated).
    #[arg(long)]
    pub hours: Vec<String>,
    /// Who signs the letters: "dott.ssa Anna Bianchi".
    #[arg(long)]
    pub signer_name: Option<String>,
    /// Their title, above the signature: "La Responsabile del Servizio".
    #[arg(long)]
    pub signer_title: Option<String>,
    /// A PNG or JPEG for the top of every letter (at most 512 KiB, sides of 16 to 3000
    /// pixels).
    #[arg(long, value_name = "FILE", conflicts_with = "no_logo")]
    pub logo: Option<PathBuf>,
    /// Take the logo off the letterhead.
    #[arg(long)]
    pub no_logo: bool,
}

impl LetterheadArgs {
    /// The stored form with the fields given put in; None when no field is given.
    fn merged(&self, mut f: LetterheadInput) -> Option<LetterheadInput> {
        let mut any = false;
        let mut put = |slot: &mut String, given: &Option<String>| {
            if let Some(v) = given {
                slot.clone_from(v);
                any = true;
            }
        };
        put(&mut f.office, &self.office);
        put(&mut f.address, &self.address);
        put(&mut f.postcode, &self.postcode);
        put(&mut f.city, &self.city);
        put(&mut f.phone, &self.phone);
        put(&mut f.pec, &self.pec);
        put(&mut f.email, &self.email);
        put(&mut f.website, &self.website);
        put(&mut f.signer_name, &self.signer_name);
        put(&mut f.signer_title, &self.signer_title);
        if !self.hours.is_empty() {
            f.hours = self.hours.join("\n");
            any = true;
        }
        any.then_some(f)
    }
}

fn app_error(e: app::Error) -> anyhow::Error {
    anyhow!("{e}")
}

/// Saves what `args` gives for the actor's organization, the text before the logo; a
/// refused field stops the command naming it, with nothing of that part saved. Returns
/// what changed, in words.
pub async fn apply(services: &Services, actor: &Actor, args: &LetterheadArgs) -> Result<String> {
    let mut done = Vec::new();
    let stored = app::acts::letterhead_for_edit(services, actor)
        .await
        .map_err(app_error)?;
    if let Some(input) = args.merged(stored.data.input()) {
        app::acts::save_letterhead(services, actor, &input, &stored.version.to_string())
            .await
            .map_err(app_error)?
            .map_err(|errors| {
                let words: Vec<String> = errors.iter().map(ToString::to_string).collect();
                anyhow!("carta intestata non salvata: {}", words.join("; "))
            })?;
        done.push("carta intestata salvata");
    }
    if let Some(path) = &args.logo {
        let bytes = std::fs::read(path)
            .with_context(|| format!("file {} non leggibile", path.display()))?;
        app::acts::save_logo(services, actor, bytes)
            .await
            .map_err(app_error)?
            .map_err(|e| anyhow!("logo non salvato: {e}"))?;
        done.push("logo salvato");
    }
    if args.no_logo {
        match app::acts::remove_logo(services, actor).await {
            Ok(()) => done.push("logo tolto"),
            Err(app::Error::NotFound) => bail!("l'ente non ha un logo da togliere"),
            Err(e) => return Err(app_error(e)),
        }
    }
    if done.is_empty() {
        bail!("nulla da cambiare: indicare almeno un campo (--help li elenca), --logo o --no-logo");
    }
    Ok(done.join(", "))
}

/// The demonstration comune's letterhead: every field and the sample logo.
pub async fn demo(services: &Services, actor: &Actor) -> Result<()> {
    let args = LetterheadArgs {
        office: Some("Settore Politiche sociali – Ufficio Prestazioni (demo)".into()),
        address: Some("Piazza Matteotti 27".into()),
        postcode: Some("24122".into()),
        city: Some("Bergamo (BG)".into()),
        phone: Some("035 399111".into()),
        pec: Some("protocollo@pec.comune.demo.example.it".into()),
        email: Some("servizisociali@comune.demo.example.it".into()),
        website: Some("https://www.comune.demo.example.it".into()),
        hours: vec![
            "lunedì–venerdì 9–12".into(),
            "martedì e giovedì anche 14–16".into(),
        ],
        signer_name: Some("dott.ssa Anna Bianchi".into()),
        signer_title: Some("La Responsabile del Servizio".into()),
        ..LetterheadArgs::default()
    };
    apply(services, actor, &args).await?;
    app::acts::save_logo(services, actor, DEMO_LOGO.to_vec())
        .await
        .map_err(app_error)?
        .map_err(|e| anyhow!("logo dimostrativo: {e}"))
}

/// The demonstration's logo: a tower on a shield, drawn for Sportello (no comune's emblem).
const DEMO_LOGO: &[u8] = include_bytes!("../../../docs/examples/logo-comune.png");
