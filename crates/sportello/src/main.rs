//! The `sportello` command: the web server (the default) and the administration, import and
//! calculation commands.

mod audit_key;
mod backup;
mod config;
mod demo;
mod demo_applications;
mod demo_casework;
mod demo_payments;
mod demo_portal;
mod import;
mod letterhead;
mod payments;
mod siuss;

use anyhow::{Context, Result, bail};
use app::Actor;
use app::manage;
use clap::{Parser, Subcommand};
use config::Config;
use domain::{Login, OrgCode, Role};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use store::{OrgStore, UserStore};
use time::OffsetDateTime;

/// Rows cross from the sqlx SQLite worker thread to the runtime's threads by the hundred
/// thousand (a ranking, a publication, a statistics refresh), and SQLite's own values are freed
/// on the thread that reads them: mimalloc (replacing malloc for the C code as well) frees
/// them without the arena lock glibc's malloc takes (docs/performance.md, «Graduatorie»).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "sportello",
    version,
    about = "Sportello: gestionale dei servizi sociali comunali"
)]
struct Cli {
    /// Configuration file (default: ./sportello.toml if present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Database URL: sqlite://path or postgres://user@host/db (overrides the configuration).
    #[arg(long, global = true)]
    database: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (what `sportello` does with no command).
    Serve {
        /// Address and port to listen on (default 127.0.0.1:8328).
        #[arg(long)]
        listen: Option<String>,
        /// Demonstration: a fresh database ./data/demo.db (recreated at every start, never the
        /// configured one) with a demo comune, its operators and 2,000 synthetic residents.
        #[arg(long)]
        demo: bool,
    },
    /// Apply the database migrations and exit.
    Migrate {
        /// List the migrations that would be applied (number and name), applying none.
        #[arg(long)]
        dry_run: bool,
    },
    /// Backup: a consistent copy of the live database, compressed and encrypted to
    /// `[backup] recipient`, with a manifest (schema, rows per table, audit chains' heads,
    /// SHA-256); `--verify FILE` checks one; `--genera-chiave FILE` makes the key pair.
    Backup(backup::BackupArgs),
    /// Restore a backup into an EMPTY database given with --database (same engine).
    Restore(backup::RestoreArgs),
    /// Operators' accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// Organizations.
    #[command(subcommand)]
    Org(OrgCmd),
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCmd),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Print the effective configuration (secrets hidden).
    Config,
    /// Codice fiscale: decode and encode.
    #[command(subcommand)]
    Cf(CfCmd),
    /// ISEE: calculate from DSU data.
    #[command(subcommand)]
    Isee(IseeCmd),
    /// Demonstration data: a synthetic population for the civil-registry import; prestazioni
    /// and istanze in the database.
    #[command(subcommand)]
    Demo(demo::DemoCmd),
    /// Imports: the civil registry's list of residents.
    #[command(subcommand)]
    Import(import::ImportCmd),
    /// E-mail: check the SMTP settings (`[mail]`).
    #[command(subcommand)]
    Mail(MailCmd),
    /// SIUSS: the national records (PS, PSA, SINA, SINBA) as files for INPS.
    #[command(subcommand)]
    Siuss(siuss::SiussCmd),
    /// Payments: the SEPA credit transfer file of a month's approved lists.
    #[command(subcommand)]
    Pagamenti(payments::PaymentsCmd),
}

#[derive(Subcommand)]
enum MailCmd {
    /// Send a test message; exits non-zero with the reason if it is not delivered.
    Prova {
        /// The recipient's address.
        #[arg(long = "a", value_name = "INDIRIZZO")]
        a: String,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Create an account; prints its one-time password.
    Add {
        login: String,
        #[arg(long)]
        name: String,
        /// Organization code.
        #[arg(long)]
        org: String,
        /// amministratore, responsabile, assistente_sociale, operatore_sportello, operatore_caf, ragioneria, revisore, cittadino
        #[arg(long)]
        role: String,
        #[arg(long)]
        email: Option<String>,
    },
    /// Set a new one-time password (to be changed at the next login); ends the user's sessions.
    Passwd { login: String },
    /// Disable an account and end its sessions.
    Disable { login: String },
    /// Enable a disabled account.
    Enable { login: String },
    /// List accounts with their roles.
    List,
}

#[derive(Subcommand)]
enum OrgCmd {
    /// Create an organization.
    Add {
        code: String,
        #[arg(long)]
        name: String,
        /// ambito_territoriale, comune, caf, erogatore
        #[arg(long)]
        kind: String,
        /// ISTAT codes of its comuni, separated by commas or spaces.
        #[arg(long, default_value = "")]
        comuni: String,
    },
    /// List organizations.
    List,
    /// Set an organization's letterhead (carta intestata), printed on its letters and under
    /// its e-mails: the fields given change, the others stay; --logo FILE puts a PNG or JPEG
    /// at the top of the letters, --no-logo takes it off.
    Letterhead(Box<letterhead::LetterheadArgs>),
}

#[derive(Subcommand)]
enum TokenCmd {
    /// Create an API bearer token for a user, shown once.
    Create {
        #[arg(long)]
        user: String,
        /// Organization code (default: the user's first organization).
        #[arg(long)]
        org: Option<String>,
        #[arg(long, default_value = "riga di comando")]
        name: String,
        /// Days until the token stops working (1 to 366).
        #[arg(long, default_value_t = store::TOKEN_DAYS)]
        days: i64,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Check every organization's hash chain; exits 1 if a row was altered, removed or reordered.
    Verify {
        /// An anchor made by `audit anchor`: also check that every chain still holds, with the
        /// same hash, the row the anchor signed.
        #[arg(long)]
        anchor: Option<PathBuf>,
    },
    /// Print (or e-mail) a signed statement of every chain's head, to keep outside the server.
    Anchor {
        /// Send it to this address through the configured SMTP server instead of printing it.
        #[arg(long)]
        mail: Option<String>,
    },
}

#[derive(Subcommand)]
enum CfCmd {
    /// Decode codici fiscali: one JSON object per code, per line.
    Decode { codes: Vec<String> },
    /// Compute a codice fiscale.
    Encode {
        #[arg(long)]
        cognome: String,
        #[arg(long)]
        nome: String,
        #[arg(long)]
        sesso: String,
        /// Birth date, YYYY-MM-DD.
        #[arg(long)]
        data: String,
        /// Birthplace: comune or foreign state name, or Belfiore code.
        #[arg(long)]
        luogo: String,
    },
}

#[derive(Subcommand)]
enum IseeCmd {
    /// Calculate one DSU (JSON file, or - for standard input).
    Calc { file: String },
    /// Calculate one DSU per line of a JSONL file; exit status 1 if a line has an error.
    Batch { input: PathBuf, output: PathBuf },
    /// Explain the calculation in plain Italian.
    Explain { file: String },
}

fn read_input(file: &str) -> Result<Box<dyn std::io::Read>> {
    Ok(if file == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(file).with_context(|| format!("impossibile aprire {file}"))?)
    })
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("errore: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

fn run() -> Result<std::process::ExitCode> {
    let cli = Cli::parse();
    let ok = Ok(std::process::ExitCode::SUCCESS);
    // Commands that need no database and no configuration.
    match &cli.command {
        Some(Command::Cf(cmd)) => return cf(cmd).map(|()| std::process::ExitCode::SUCCESS),
        Some(Command::Isee(cmd)) => return isee(cmd),
        Some(Command::Demo(cmd)) if !cmd.needs_database() => {
            return demo::run(cmd).map(|()| std::process::ExitCode::SUCCESS);
        }
        _ => {}
    }
    let mut cfg = Config::load(cli.config.as_deref()).context("configurazione non valida")?;
    if let Some(url) = cli.database.clone() {
        cfg.database.url = url;
    }
    let demo_data = matches!(cli.command, Some(Command::Serve { demo: true, .. }));
    if demo_data {
        cfg.database.url = demo::fresh_database()?;
    }
    let key_file = cfg
        .audit
        .key_file
        .get_or_insert_with(|| audit_key::default_path(&cfg.database.url))
        .clone();
    if let Some(Command::Config) = cli.command {
        println!("{}", serde_json::to_string_pretty(&cfg)?);
        return ok;
    }
    init_logging(&cfg);
    // Commands that need the configuration but no database.
    if let Some(Command::Mail(MailCmd::Prova { a })) = &cli.command {
        let rt = tokio::runtime::Runtime::new()?;
        rt.block_on(mail_test(&cfg, a))?;
        return ok;
    }
    let rt = tokio::runtime::Runtime::new()?;
    // Commands that take the database as it is, without migrating it.
    match &cli.command {
        Some(Command::Backup(args)) => {
            return rt
                .block_on(backup::run(&cfg, args))
                .map(|()| std::process::ExitCode::SUCCESS);
        }
        Some(Command::Restore(args)) => {
            return rt
                .block_on(backup::restore(&cfg, cli.database.as_deref(), args))
                .map(|()| std::process::ExitCode::SUCCESS);
        }
        Some(Command::Migrate { dry_run: true }) => {
            return rt
                .block_on(backup::dry_run(&cfg.database.url))
                .map(|()| std::process::ExitCode::SUCCESS);
        }
        _ => {}
    }
    rt.block_on(async move {
        // A schema a newer Sportello migrated is refused before anything opens it.
        backup::check_schema(&cfg.database.url).await?;
        let (mut key, created) = audit_key::load_or_create(&key_file)?;
        let store = app::open_store(&cfg.database.url, key.clone())
            .await
            .with_context(|| format!("database {}", config::redact_url_text(&cfg.database.url)))?;
        if created {
            let newest = store::AuditStore::list_audit(
                &store,
                &store::AuditFilter {
                    limit: 1,
                    ..store::AuditFilter::default()
                },
            )
            .await?;
            key = audit_key::settle_new_key(&key_file, key, newest.first().map(|r| r.keyed))?;
        }
        let now = app::Clock::default().now();
        match cli.command.unwrap_or(Command::Serve {
            listen: None,
            demo: false,
        }) {
            Command::Serve { listen, .. } => {
                if demo_data {
                    demo::seed(&store).await?;
                }
                serve(cfg, store, listen, demo_data).await?
            }
            Command::Migrate { .. } => println!("Database aggiornato."),
            Command::Import(cmd) => return import::run(&store, now, cmd).await,
            Command::Siuss(cmd) => siuss::run(&store, now, cmd).await?,
            Command::Pagamenti(cmd) => payments::run(&store, now, cmd).await?,
            Command::Demo(demo::DemoCmd::Applications(args)) => {
                demo_applications::run(&store, &args).await?
            }
            Command::User(cmd) => user(&store, now, cmd).await?,
            Command::Org(cmd) => org(&store, now, cmd).await?,
            Command::Token(TokenCmd::Create {
                user,
                org,
                name,
                days,
            }) => {
                let u = store
                    .get_user_by_login(&Login::parse(&user)?)
                    .await
                    .context("utente non trovato")?;
                let memberships = store.memberships(u.id).await?;
                let m = match org {
                    Some(code) => memberships
                        .into_iter()
                        .find(|m| m.org.code.as_str() == code),
                    None => memberships.into_iter().next(),
                }
                .context("l'utente non ha un ruolo in quell'ente")?;
                let (secret, token) = manage::create_token(
                    &store,
                    &Actor::system(m.org.clone(), now),
                    &u,
                    &m.org,
                    &name,
                    days,
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
                println!(
                    "Token per {} in {}, valido fino al {} (mostrato solo ora):\n{secret}",
                    u.login,
                    m.org.code,
                    domain::localtime::format_date_time(token.expires())
                );
            }
            Command::Audit(AuditCmd::Verify { anchor }) => {
                return audit_verify(&store, &key, anchor.as_deref()).await;
            }
            Command::Audit(AuditCmd::Anchor { mail }) => {
                audit_anchor(&cfg, &store, &key, now, mail).await?
            }
            Command::Config
            | Command::Cf(_)
            | Command::Isee(_)
            | Command::Demo(_)
            | Command::Backup(_)
            | Command::Restore(_)
            | Command::Mail(_) => {}
        }
        ok
    })
}

/// `sportello audit verify [--anchor FILE]`: exit 1 when anything is wrong.
async fn audit_verify(
    store: &app::Store,
    key: &domain::audit::AuditKey,
    anchor: Option<&std::path::Path>,
) -> Result<std::process::ExitCode> {
    let anchor = match anchor {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("ancoraggio {}: illeggibile", path.display()))?;
            let anchor: domain::audit::Anchor = serde_json::from_str(&text)
                .with_context(|| format!("ancoraggio {}: non è un ancoraggio", path.display()))?;
            if !anchor.is_signed_by(key) {
                println!(
                    "Ancoraggio {}: firma NON valida (alterato, o fatto con un'altra chiave).",
                    path.display()
                );
                return Ok(std::process::ExitCode::from(1));
            }
            Some(anchor)
        }
        None => None,
    };
    let check = manage::verify_audit(store, key, anchor.as_ref())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for (org, n) in &check.unkeyed {
        println!("ente {org}: {n} righe registrate prima della chiave (impronta senza chiave)");
    }
    for (org, p) in &check.problems {
        println!("ente {org}: {p}");
    }
    if !check.problems.is_empty() {
        println!(
            "Registro ALTERATO: {} problemi su {} righe.",
            check.problems.len(),
            check.rows
        );
        return Ok(std::process::ExitCode::from(1));
    }
    if let Some(a) = &anchor {
        println!(
            "Ancoraggio del {} verificato: {} enti.",
            domain::localtime::format_date_time(a.made_at),
            a.heads.len()
        );
    }
    println!("Registro integro: {} righe verificate.", check.rows);
    Ok(std::process::ExitCode::SUCCESS)
}

/// `sportello audit anchor [--mail ADDRESS]`: the signed heads as JSON, printed or e-mailed.
async fn audit_anchor(
    cfg: &Config,
    store: &app::Store,
    key: &domain::audit::AuditKey,
    now: time::OffsetDateTime,
    mail: Option<String>,
) -> Result<()> {
    let anchor = manage::anchor_audit(store, key, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let json = serde_json::to_string_pretty(&anchor)?;
    let Some(to) = mail else {
        println!("{json}");
        return Ok(());
    };
    let msg = app::mail::Mail {
        to: to.clone(),
        subject: format!(
            "Sportello: ancoraggio del registro delle operazioni, {}",
            domain::localtime::format_date_time(now)
        ),
        body: format!(
            "Ancoraggio del registro delle operazioni: conservarlo fuori dal server.\n\
             Per verificarlo: sportello audit verify --anchor FILE (con il testo qui sotto).\n\n\
             {json}\n"
        ),
    };
    send_mail(cfg, &msg).await?;
    println!("Ancoraggio inviato a {}.", to.trim());
    Ok(())
}

/// One message through the configured SMTP server; not configured is an error.
async fn send_mail(cfg: &Config, msg: &app::mail::Mail) -> Result<()> {
    let mailer = app::mail::Mailer::new(&cfg.mail.to_web()).map_err(|e| anyhow::anyhow!("{e}"))?;
    mailer.send(msg).await.map_err(|e| anyhow::anyhow!("{e}"))
}

fn init_logging(cfg: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&cfg.log.level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cfg.log.format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn serve(cfg: Config, store: app::Store, listen: Option<String>, demo: bool) -> Result<()> {
    let mut mail = cfg.mail.to_web();
    // The portal's entity id is its address: the news e-mails link to it.
    mail.portal_url = cfg.portale.oidc.as_ref().map(|o| o.client_id.clone());
    let mailer = app::mail::Mailer::new(&mail).map_err(|e| anyhow::anyhow!("{e}"))?;
    if !mailer.is_configured() {
        tracing::info!("posta: invio di e-mail non configurato (mail.smtp_url)");
    }
    if let Some(b) = manage::bootstrap(&store, app::Clock::default().now(), cfg.admin_password())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        println!("Primo avvio: creato l'amministratore «{}».", b.login);
        match b.generated_password {
            Some(p) => println!(
                "Password provvisoria (mostrata solo ora, da cambiare al primo accesso): {p}"
            ),
            None => println!(
                "Password: quella di SPORTELLO__ADMIN__PASSWORD (da cambiare al primo accesso)."
            ),
        }
    }
    let trusted_proxies = cfg
        .trusted_proxies
        .iter()
        .map(|p| web::auth::IpNet::parse(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("trusted_proxies: {e}"))?;
    let addr = listen.unwrap_or_else(|| cfg.listen.clone());
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("impossibile ascoltare su {addr}"))?;
    let allowed_hosts = config::allowed_hosts(&cfg.public_hosts, listener.local_addr()?.ip())
        .map_err(|e| anyhow::anyhow!(e))?;
    println!("Sportello è pronto su http://{}", listener.local_addr()?);
    let web_cfg = web::WebConfig {
        session_idle: std::time::Duration::from_secs(cfg.session.idle_minutes * 60),
        session_absolute: std::time::Duration::from_secs(cfg.session.absolute_hours * 3600),
        tls: cfg.tls,
        max_body_bytes: cfg.max_body_bytes,
        mail,
        trusted_proxies,
        allowed_hosts,
        // The demo shows the local accounts too.
        portal_local_accounts: cfg.portale.local_accounts || demo,
        waas: cfg
            .waas
            .as_ref()
            .map(config::Waas::to_web)
            .transpose()
            .map_err(|e| anyhow::anyhow!(e))?,
        metrics: cfg.metrics.to_web().map_err(|e| anyhow::anyhow!(e))?,
    };
    let port = listener.local_addr()?.port();
    // The demo plays the PDND too, so that INPS's calls can be tried with curl.
    let web_cfg = if demo && web_cfg.waas.is_none() {
        demo_portal::with_waas(&store, web_cfg, &format!("http://127.0.0.1:{port}")).await?
    } else {
        web_cfg
    };
    let state = web::AppState::new(store.clone(), web_cfg);
    // The demo's provider lives as long as the server.
    let (_provider, state) = if demo {
        let base = format!("http://127.0.0.1:{port}");
        let (provider, rp) = demo_portal::start(&store, &base).await?;
        println!("Portale del cittadino: {base}/portale");
        (Some(provider), state.with_oidc(rp))
    } else {
        match &cfg.portale.oidc {
            Some(o) => {
                let rp = o.relying_party().map_err(|e| anyhow::anyhow!(e))?;
                (None, state.with_oidc(rp))
            }
            None => {
                tracing::info!("portale: accesso con SPID/CIE non configurato (portale.oidc)");
                (None, state)
            }
        }
    };
    web::serve(listener, state).await?;
    Ok(())
}

/// `sportello mail prova --a ADDRESS`: one message through the configured SMTP server.
async fn mail_test(cfg: &Config, to: &str) -> Result<()> {
    let msg = app::mail::Mail {
        to: to.to_owned(),
        subject: "Sportello: messaggio di prova".into(),
        body: "Questo è un messaggio di prova inviato da Sportello.\n\n\
               Se lo ha ricevuto, l'invio di e-mail è configurato correttamente.\n"
            .into(),
    };
    send_mail(cfg, &msg).await?;
    println!("Messaggio di prova inviato a {}.", to.trim());
    Ok(())
}

async fn user(store: &app::Store, now: OffsetDateTime, cmd: UserCmd) -> Result<()> {
    let find = |login: &str| {
        let login = Login::parse(login);
        async move {
            store
                .get_user_by_login(&login?)
                .await
                .context("utente non trovato")
        }
    };
    match cmd {
        UserCmd::Add {
            login,
            name,
            org,
            role,
            email,
        } => {
            let login = Login::parse(&login)?;
            let name = domain::user::parse_full_name(&name)?;
            let email = domain::user::parse_email(email.as_deref().unwrap_or(""))?;
            let Some(role) = Role::parse(&role) else {
                bail!("ruolo sconosciuto: {role}")
            };
            let org = store
                .get_org_by_code(&OrgCode::parse(&org)?)
                .await
                .context("ente non trovato")?;
            let password =
                app::credentials::one_time_password().map_err(|e| anyhow::anyhow!("{e}"))?;
            let u = manage::create_user(
                store,
                &Actor::system(org.clone(), now),
                &org,
                login,
                name,
                email,
                role,
                password.clone(),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "Creato {} ({}) in {}. Password provvisoria: {password}",
                u.login,
                role.label(),
                org.code
            );
        }
        UserCmd::Passwd { login } => {
            let u = find(&login).await?;
            let memberships = store.memberships(u.id).await?;
            let orgs: Vec<_> = memberships.iter().map(|m| m.org.id).collect();
            // The installation acts in the user's first organization; every one is told.
            let Some(home) = memberships.into_iter().next() else {
                bail!("{}", manage::no_role_to_reset(&u));
            };
            let p = manage::reset_password(store, &Actor::system(home.org, now), &u, &orgs)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "Nuova password provvisoria per {}, valida {} ore (token API revocati): {p}",
                u.login,
                manage::ONE_TIME_PASSWORD_HOURS
            );
        }
        UserCmd::Disable { login } => set_active(store, now, find(&login).await?, false).await?,
        UserCmd::Enable { login } => set_active(store, now, find(&login).await?, true).await?,
        UserCmd::List => {
            for u in store.list_users().await? {
                let roles: Vec<String> = store
                    .memberships(u.id)
                    .await?
                    .iter()
                    .map(|m| format!("{}:{}", m.org.code, m.role.as_str()))
                    .collect();
                println!(
                    "{}\t{}\t{}\t{}",
                    u.login,
                    if u.active { "attivo" } else { "disattivato" },
                    u.full_name,
                    roles.join(",")
                );
            }
        }
    }
    Ok(())
}

async fn set_active(
    store: &app::Store,
    now: OffsetDateTime,
    u: store::User,
    active: bool,
) -> Result<()> {
    let org = store
        .memberships(u.id)
        .await?
        .into_iter()
        .next()
        .context("l'utente non ha un ente")?
        .org;
    let org_id = org.id;
    manage::set_active(store, &Actor::system(org, now), &u, org_id, active)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "{} {}.",
        u.login,
        if active {
            "riattivato"
        } else {
            "disattivato; sessioni terminate"
        }
    );
    Ok(())
}

async fn org(store: &app::Store, now: OffsetDateTime, cmd: OrgCmd) -> Result<()> {
    match cmd {
        OrgCmd::Add {
            code,
            name,
            kind,
            comuni,
        } => {
            let (code, name, kind, comuni) = manage::parse_org(&code, &name, &kind, &comuni)
                .map_err(|errs| {
                    anyhow::anyhow!(
                        errs.iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                })?;
            let o = manage::new_org(code, name, kind, now);
            let o = manage::create_org(store, &Actor::system(o.clone(), now), o, comuni)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Creato l'ente {} «{}».", o.code, o.name);
        }
        OrgCmd::Letterhead(args) => {
            let o = store
                .get_org_by_code(&OrgCode::parse(&args.code)?)
                .await
                .with_context(|| format!("ente «{}» non trovato", args.code))?;
            let services = app::Services::new(store.clone(), &app::mail::MailConfig::default());
            let done = letterhead::apply(&services, &Actor::system(o.clone(), now), &args).await?;
            println!("Ente {} «{}»: {done}.", o.code, o.name);
        }
        OrgCmd::List => {
            for o in store.list_orgs().await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    o.code,
                    o.kind.as_str(),
                    if o.active { "attivo" } else { "disattivato" },
                    o.name
                );
            }
        }
    }
    Ok(())
}

fn cf(cmd: &CfCmd) -> Result<()> {
    let today = time::OffsetDateTime::now_utc().date();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match cmd {
        CfCmd::Decode { codes } if codes.is_empty() => {
            let lines: Vec<String> = std::io::stdin().lock().lines().collect::<Result<_, _>>()?;
            territory::cli::decode_lines(lines.iter().map(String::as_str), today, &mut out)?;
        }
        CfCmd::Decode { codes } => {
            territory::cli::decode_lines(codes.iter().map(String::as_str), today, &mut out)?
        }
        CfCmd::Encode {
            cognome,
            nome,
            sesso,
            data,
            luogo,
        } => {
            let date = time::Date::parse(
                data,
                &time::macros::format_description!("[year]-[month]-[day]"),
            )
            .with_context(|| format!("data di nascita «{data}»: scrivila come AAAA-MM-GG"))?;
            let cf = territory::cli::encode(cognome, nome, sesso, date, luogo)?;
            writeln!(out, "{cf}")?;
        }
    }
    out.flush()?;
    Ok(())
}

/// The number of lines of a JSONL file, estimated from its first MiB and its size: counting
/// them would read the whole file twice.
fn estimate_lines(path: &std::path::Path) -> u64 {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(path) else {
        return 0;
    };
    let size = file.metadata().map_or(0, |m| m.len());
    let mut head = Vec::with_capacity(1 << 20);
    if file.take(1 << 20).read_to_end(&mut head).is_err() || head.is_empty() {
        return 0;
    }
    let lines = head.iter().filter(|c| **c == b'\n').count().max(1) as u64;
    size.saturating_mul(lines) / head.len() as u64
}

/// Runs an `isee` command; `batch` exits with 1 when some line could not be computed (its
/// error is in the output file, once).
fn isee(cmd: &IseeCmd) -> Result<std::process::ExitCode> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut code = std::process::ExitCode::SUCCESS;
    match cmd {
        IseeCmd::Calc { file } => isee::cli::calc(&mut read_input(file)?, &mut out)?,
        IseeCmd::Explain { file } => isee::cli::explain(&mut read_input(file)?, &mut out)?,
        IseeCmd::Batch { input, output } => {
            let total = estimate_lines(input);
            let mut reader = std::io::BufReader::new(
                std::fs::File::open(input)
                    .with_context(|| format!("impossibile aprire {}", input.display()))?,
            );
            let mut writer = std::io::BufWriter::new(
                std::fs::File::create(output)
                    .with_context(|| format!("impossibile creare {}", output.display()))?,
            );
            let bar = indicatif::ProgressBar::new(total);
            let summary = isee::cli::batch(&mut reader, &mut writer, &mut |n| {
                if bar.length().is_some_and(|l| n > l) {
                    bar.set_length(n);
                }
                bar.set_position(n);
            })?;
            writer.flush()?;
            bar.finish_and_clear();
            writeln!(
                out,
                "{} righe: {} calcolate, {} con errori.",
                summary.lines, summary.ok, summary.errors
            )?;
            if !summary.all_ok() {
                code = std::process::ExitCode::from(1);
            }
        }
    }
    out.flush()?;
    Ok(code)
}
