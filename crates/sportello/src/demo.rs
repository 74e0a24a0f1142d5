//! `sportello demo`: demonstration data (see `territory::demo`).

use anyhow::{Context, Result, anyhow};
use app::Actor;
use app::manage;
use clap::Subcommand;
use domain::{Login, Role};
use std::io::Write;
use std::path::{Path, PathBuf};
use store::UserStore;
use time::{Date, Month};

/// Bergamo, the comune of the demonstration.
pub const DEFAULT_COMUNE: &str = "016024";
/// The database of `serve --demo`, recreated at every start: never the configured one.
pub const DEMO_DATABASE: &str = "sqlite://data/demo.db";
/// Residents of the demonstration comune.
pub const DEMO_PERSONS: usize = 2_000;
/// The password of every demonstration account (printed at start: demo data only).
pub const DEMO_PASSWORD: &str = "demo-sportello";
/// Applications (istanze) of the demonstration, in every state.
pub const DEMO_APPLICATIONS: usize = 300;

#[derive(Subcommand)]
pub enum DemoCmd {
    /// Write a synthetic population in the format of the civil-registry import (CSV, `;`):
    /// the same file for the same options.
    Generate {
        /// Number of persons (rows).
        #[arg(long, default_value_t = 2_000)]
        persons: usize,
        /// Seed: another seed gives other persons.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// ISTAT code of a comune of residence; repeatable (households are spread among them).
        #[arg(long = "comune", default_value = DEFAULT_COMUNE)]
        comuni: Vec<String>,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Reference date of the population, YYYY-MM-DD (default: one month ago, so that the
        /// file of the following month is today's).
        #[arg(long)]
        data: Option<String>,
        /// The same population one month after --data: a few births, deaths, moves out and
        /// in, address changes and marriages (for the incremental import).
        #[arg(long)]
        mese_successivo: bool,
    },
    /// Prestazioni and istanze in the database: the base catalogue (if the catalogue is
    /// empty), ISEE attestations and applications in every state for the organization's
    /// registry persons; the same for the same seed and population.
    Applications(crate::demo_applications::ApplicationsArgs),
}

impl DemoCmd {
    /// Whether the command works on the database (the others write files).
    pub fn needs_database(&self) -> bool {
        matches!(self, DemoCmd::Applications(_))
    }
}

/// One month before `d` (the last day of that month when it is shorter).
pub fn month_before(d: Date) -> Date {
    let (year, month) = match d.month() {
        Month::January => (d.year() - 1, Month::December),
        m => (d.year(), m.previous()),
    };
    Date::from_calendar_date(year, month, d.day().min(month.length(year))).unwrap_or(d)
}

pub fn run(cmd: &DemoCmd) -> Result<()> {
    match cmd {
        DemoCmd::Generate {
            persons,
            seed,
            comuni,
            out,
            data,
            mese_successivo,
        } => {
            let today = time::OffsetDateTime::now_utc().date();
            let reference = match data {
                Some(raw) => Date::parse(
                    raw,
                    &time::macros::format_description!("[year]-[month]-[day]"),
                )
                .with_context(|| {
                    format!("data di riferimento «{raw}»: scrivila come AAAA-MM-GG")
                })?,
                None => month_before(today),
            };
            let comuni: Vec<&str> = comuni.iter().map(String::as_str).collect();
            let writer: Box<dyn Write> = match out {
                Some(path) => Box::new(
                    std::fs::File::create(path)
                        .with_context(|| format!("impossibile creare {}", path.display()))?,
                ),
                None => Box::new(std::io::stdout().lock()),
            };
            let writer = std::io::BufWriter::with_capacity(1 << 16, writer);
            let bar = if *persons >= 100_000 {
                indicatif::ProgressBar::new(*persons as u64)
            } else {
                indicatif::ProgressBar::hidden()
            };
            let started = std::time::Instant::now();
            let progress = |n| bar.set_position(n);
            let (rows, date, summary) = if *mese_successivo {
                let mut next =
                    territory::demo::generate_next_month(*persons, *seed, &comuni, reference)?;
                let rows = territory::demo::write_csv(writer, next.by_ref(), progress)?;
                (rows, next.reference(), Some(next.summary()))
            } else {
                let population = territory::demo::generate(*persons, *seed, &comuni, reference)?;
                let rows = territory::demo::write_csv(writer, population, progress)?;
                (rows, reference, None)
            };
            bar.finish_and_clear();
            let mut err = std::io::stderr().lock();
            let target = out
                .as_ref()
                .map_or("standard output".to_owned(), |p| p.display().to_string());
            writeln!(
                err,
                "{rows} persone al {date} scritte su {target} in {:.1} s.",
                started.elapsed().as_secs_f64()
            )?;
            if let Some(s) = summary {
                writeln!(
                    err,
                    "Rispetto al {reference}: {} nascite, {} decessi, {} emigrati, {} immigrati, \
                     {} cambi di indirizzo, {} matrimoni.",
                    s.births, s.deaths, s.moved_out, s.moved_in, s.address_changes, s.marriages
                )?;
            }
        }
        DemoCmd::Applications(_) => anyhow::bail!("«demo applications» lavora sul database"),
    }
    Ok(())
}

/// Deletes `./data/demo.db` (and its journal files) and returns its URL: `serve --demo` starts
/// from scratch every time and never touches the configured database.
pub fn fresh_database() -> Result<String> {
    let dir = Path::new("data");
    std::fs::create_dir_all(dir).context("impossibile creare la cartella ./data")?;
    for name in ["demo.db", "demo.db-wal", "demo.db-shm", "demo.db-journal"] {
        let path = dir.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| format!("impossibile eliminare {}", path.display()));
            }
        }
    }
    Ok(DEMO_DATABASE.to_owned())
}

fn app(e: app::Error) -> anyhow::Error {
    anyhow!("{e}")
}

/// Fills the empty demonstration database: the installation's administrator, the organization
/// "Comune di Bergamo (demo)" with an operatore di sportello, a responsabile and an assistente sociale (all with
/// [`DEMO_PASSWORD`], no change required), then [`DEMO_PERSONS`] residents imported as last
/// month's registry list followed by this month's, so that the registry events (births,
/// deaths, moves, marriages) wait to be checked; then the base catalogue of benefits, ISEE
/// attestations and [`DEMO_APPLICATIONS`] applications in every state
/// (`crate::demo_applications`). Prints the accounts.
pub async fn seed(store: &app::Store) -> Result<()> {
    let now = app::Clock::default().now();
    let today = now.date();
    manage::bootstrap(store, now, Some(DEMO_PASSWORD.to_owned()))
        .await
        .map_err(app)?
        .context("il database dimostrativo non è vuoto")?;
    let (code, name, kind, comuni) = manage::parse_org(
        "comune-bergamo-demo",
        "Comune di Bergamo (demo)",
        "comune",
        DEFAULT_COMUNE,
    )
    .map_err(|errs| {
        anyhow!(
            "{}",
            errs.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        )
    })?;
    let org = manage::new_org(code, name, kind, now);
    let actor = Actor::system(org.clone(), now);
    let org = manage::create_org(store, &actor, org, comuni)
        .await
        .map_err(app)?;
    let accounts = [
        (manage::ADMIN_LOGIN, "", Role::Amministratore),
        (
            "sportello",
            "Operatore Dimostrativo",
            Role::OperatoreSportello,
        ),
        (
            "responsabile",
            "Responsabile Dimostrativa",
            Role::Responsabile,
        ),
        (
            "assistente",
            "Assistente Sociale Dimostrativa",
            Role::AssistenteSociale,
        ),
        ("ragioneria", "Ragioneria Dimostrativa", Role::Ragioneria),
    ];
    let hash = app::credentials::hash_password(DEMO_PASSWORD.to_owned())
        .await
        .map_err(app)?;
    for (login, full_name, role) in accounts {
        let login = Login::parse(login)?;
        let (user, org_id) = if role == Role::Amministratore {
            // Created by bootstrap in the installation's organization.
            let u = store.get_user_by_login(&login).await?;
            let org_id = app::home_org(store, &u)
                .await
                .map_err(app)?
                .context("l'amministratore non ha un ente")?;
            (u, org_id)
        } else {
            let u = manage::create_user(
                store,
                &actor,
                &org,
                login,
                full_name.to_owned(),
                None,
                role,
                DEMO_PASSWORD.to_owned(),
            )
            .await
            .map_err(app)?;
            (u, org.id)
        };
        let audit = actor.audit_in(
            org_id,
            "user.password_reset",
            "user",
            Some(user.id),
            format!("dati dimostrativi: password nota per {}", user.login),
        );
        let change = store::PasswordChange {
            hash: hash.clone(),
            one_time_until_us: None,
            revoke_tokens_at: None,
        };
        store.set_password(user.id, &change, &[audit]).await?;
    }

    let belfiore = territory::comune_by_istat(DEFAULT_COMUNE)
        .map(|c| c.belfiore)
        .context("comune dimostrativo sconosciuto")?;
    let last_month = month_before(today);
    let mut files = Vec::new();
    let base = territory::demo::generate(DEMO_PERSONS, 1, &[DEFAULT_COMUNE], last_month)?;
    files.push((last_month, csv_bytes(base)?));
    let next =
        territory::demo::generate_next_month(DEMO_PERSONS, 1, &[DEFAULT_COMUNE], last_month)?;
    files.push((next.reference(), csv_bytes(next)?));
    let mut reports = Vec::new();
    for (date, bytes) in files {
        let report = app::registry::import_file(
            store,
            org.id,
            belfiore,
            &format!("anagrafe-demo-{date}.csv"),
            &bytes,
            Some(date),
            &actor,
            today,
            None,
        )
        .await
        .map_err(app)?;
        reports.push(app::registry::summary(&report.import, &report.comune_name));
    }
    let istanze =
        crate::demo_applications::generate(store, &org, DEMO_APPLICATIONS, 1, now, false).await?;
    let services = app::Services::new(store.clone(), &app::mail::MailConfig::default());
    crate::letterhead::demo(&services, &actor).await?;
    app::siuss::save_sender(
        &services,
        &actor,
        &domain::siuss::SenderInput {
            ente_code: "A794".into(),
            seat: "A794".into(),
            operator_cf: "80034840167".into(),
        },
        "0",
    )
    .await
    .map_err(app)?
    .map_err(|e| anyhow::anyhow!("impostazioni SIUSS dimostrative: {e:?}"))?;
    let payments = crate::demo_payments::generate(&services, &actor).await?;
    let bills = crate::demo_payments::bills(&services, &actor).await?;
    let household = crate::demo_casework::sample_household(&services, &org, now).await?;
    let persons: Vec<uuid::Uuid> = crate::demo_applications::population(store, org.id)
        .await?
        .persons
        .iter()
        .map(|c| c.id)
        .collect();
    let casework = crate::demo_casework::generate(&services, &org, &persons, now).await?;
    println!("Dati dimostrativi in ./data/demo.db (ricreato a ogni avvio con --demo):");
    for r in reports {
        println!("  {r}");
    }
    println!(
        "  Carta intestata completa, con il logo, in Amministrazione → Carta intestata: \
         la usano i provvedimenti, i preavvisi, le richieste di integrazione, i PAI e le DSU"
    );
    println!("  Prestazioni e istanze: {}", istanze.report());
    println!("  Segretariato e cartelle: {}", casework.report());
    println!("  Fondi e pagamenti: {payments}");
    println!("  Rette: {bills}");
    println!(
        "  Il nucleo dell'attestazione INPS di esempio (docs/examples/attestazione-inps.xml): {}",
        household
            .iter()
            .map(|p| p.data.full_name())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("Accessi (password «{DEMO_PASSWORD}» per tutti):");
    println!(
        "  sportello     operatore di sportello del Comune di Bergamo (demo): anagrafe sociale, ISEE, istanze"
    );
    println!(
        "  responsabile  responsabile: anche prestazioni e regole, decisioni sulle istanze, import ed \
         eventi dell'anagrafe; al primo accesso attiva \
         la verifica in due passaggi (app di autenticazione)"
    );
    println!(
        "  assistente    assistente sociale: segretariato, cartelle, agenda, PAI; verifica in due passaggi"
    );
    println!(
        "  ragioneria    ragioneria: fondi, distinte di pagamento, file SEPA, esiti della banca"
    );
    println!(
        "  admin         amministratore di sistema: enti e utenti; anche lui con la verifica in due passaggi"
    );
    Ok(())
}

fn csv_bytes(rows: impl Iterator<Item = territory::demo::Resident>) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    territory::demo::write_csv(&mut out, rows, |_| {})?;
    Ok(out)
}
