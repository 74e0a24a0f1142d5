//! The SIUSS records of an ente (domain::siuss) for its responsabile and for the command
//! line: the month's PS, PSA, SINA and SINBA records made from the stored deliveries and
//! assessments, checked against INPS's schemas, the upload files, and the ente's settings.

use crate::{Actor, Error, Services};
use domain::FieldError;
use domain::audit::unix_micros;
use domain::policy::{Action, RecordScope};
use domain::siuss::{
    self, File, Operation, Record, Sender, SenderData, SenderInput, assessment_record,
    delivery_record,
};
use store::{AuditStore, OrgStore, SiussSender, SiussStore};
use time::Date;

/// A month's records of the actor's organization, valid and not, in the store's order
/// (beneficiaries by name).
#[derive(Debug, Clone)]
pub struct Period {
    /// The first day of the month.
    pub month: Date,
    pub sender: Sender,
    /// The settings as stored (`None` until the responsabile saves them once).
    pub stored: Option<SiussSender>,
    pub records: Vec<Record>,
}

impl Period {
    pub fn invalid(&self) -> impl Iterator<Item = &Record> {
        self.records.iter().filter(|r| !r.is_valid())
    }

    /// How many records of each kind, valid and not: (kind, valid, invalid).
    pub fn counts(&self) -> Vec<(siuss::RecordKind, usize, usize)> {
        siuss::RecordKind::ALL
            .iter()
            .map(|k| {
                let of_kind = self.records.iter().filter(|r| r.kind == *k);
                let (valid, invalid) =
                    of_kind.fold(
                        (0, 0),
                        |(v, i), r| if r.is_valid() { (v + 1, i) } else { (v, i + 1) },
                    );
                (*k, valid, invalid)
            })
            .collect()
    }
}

/// The last day of `month`'s month.
fn month_end(month: Date) -> Date {
    month
        .replace_day(time::util::days_in_month(month.month(), month.year()))
        .unwrap_or(month)
}

/// The ente as the records name it: the stored settings, else the organization's name and
/// the Belfiore code of its first comune (the records then name the missing settings).
pub(crate) async fn sender(
    state: &Services,
    ctx: &Actor,
) -> Result<(Sender, Option<SiussSender>), Error> {
    let stored = state.store.siuss_sender(ctx.org.id).await?;
    let first_comune = state.store.org_comuni(ctx.org.id).await?.into_iter().next();
    let sender = Sender {
        ente_code: stored
            .as_ref()
            .map(|s| s.ente_code.clone())
            .unwrap_or_default(),
        ente_name: ctx.org.name.clone(),
        seat_belfiore: stored.as_ref().map_or_else(
            || first_comune.map(|c| c.belfiore_code).unwrap_or_default(),
            |s| s.seat_belfiore.clone(),
        ),
        operator_cf: stored
            .as_ref()
            .map(|s| s.operator_cf.clone())
            .unwrap_or_default(),
        pseudonym_key: stored
            .as_ref()
            .map(|s| s.pseudonym_key.clone())
            .unwrap_or_default(),
    };
    Ok((sender, stored))
}

/// The records of `month` (its first day) of the actor's organization, each checked.
pub async fn period(state: &Services, ctx: &Actor, month: Date) -> Result<Period, Error> {
    ctx.authorize(Action::SiussManage, RecordScope::SameOrg)?;
    build(state, ctx, month).await
}

/// The records of `month` of `ctx`'s organization, for whoever was authorized (the
/// responsabile, or the installation making the flows for INPS).
pub(crate) async fn build(state: &Services, ctx: &Actor, month: Date) -> Result<Period, Error> {
    let (sender, stored) = sender(state, ctx).await?;
    let last = month_end(month);
    let deliveries = state
        .store
        .siuss_deliveries(ctx.org.id, month, month)
        .await?;
    let assessments = state
        .store
        .siuss_assessments(ctx.org.id, month, last)
        .await?;
    let mut records: Vec<Record> = deliveries
        .iter()
        .map(|d| delivery_record(&sender, d, Operation::Insert))
        .collect();
    records.extend(
        assessments
            .iter()
            .map(|a| assessment_record(&sender, a, Operation::Insert)),
    );
    Ok(Period {
        month,
        sender,
        stored,
        records,
    })
}

/// The month's records as the upload files, numbered from `first_sequence` (the daily
/// progressive of their names), for the page and the command line; the export is written in
/// the audit log (how many records, which files, how many left out invalid).
pub async fn export(
    state: &Services,
    ctx: &Actor,
    month: Date,
    first_sequence: u32,
) -> Result<(Period, Vec<File>), Error> {
    let period = period(state, ctx, month).await?;
    let files = siuss::files(
        &period.sender,
        &period.records,
        ctx.now.date(),
        first_sequence,
    );
    let invalid = period.invalid().count();
    let audit = ctx.audit(
        "siuss.export",
        "siuss_period",
        None,
        format!(
            "File SIUSS di {}/{}: {} record in {} file ({}){}",
            u8::from(month.month()),
            month.year(),
            files.iter().map(|f| f.records).sum::<usize>(),
            files.len(),
            files
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            if invalid > 0 {
                format!("; {invalid} record non validi esclusi")
            } else {
                String::new()
            }
        ),
    );
    state.store.append_audit(&audit).await?;
    Ok((period, files))
}

/// Logs that the responsabile looked at the month's records (names and codici fiscali of the
/// beneficiaries with a problem are shown).
pub async fn log_view(state: &Services, ctx: &Actor, period: &Period) {
    state
        .reads
        .log(ctx.audit(
            "siuss.view",
            "siuss_period",
            None,
            format!(
                "Consultati i record SIUSS di {}/{}: {} record, {} non validi",
                u8::from(period.month.month()),
                period.month.year(),
                period.records.len(),
                period.invalid().count()
            ),
        ))
        .await;
}

/// Stores the ente's settings typed in the form, if still at `version` (0 before the first
/// save); the first save makes the pseudonyms' secret. Bad fields are named, nothing saved.
pub async fn save_sender(
    state: &Services,
    ctx: &Actor,
    input: &SenderInput,
    version: &str,
) -> Result<Result<(), Vec<FieldError>>, Error> {
    ctx.authorize(Action::SiussManage, RecordScope::SameOrg)?;
    let data: SenderData = match siuss::parse_sender(input) {
        Ok(d) => d,
        Err(errors) => return Ok(Err(errors)),
    };
    let read: i64 = crate::read_version(version, "delle impostazioni SIUSS")?;
    let key = match state.store.siuss_sender(ctx.org.id).await? {
        Some(s) => s.pseudonym_key,
        None => {
            let mut bytes = vec![0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| Error::Internal(format!("getrandom: {e}")))?;
            bytes
        }
    };
    let audit = ctx.audit(
        "siuss.sender",
        "organization",
        Some(ctx.org.id),
        format!(
            "Impostazioni SIUSS di {}: codice ente {}, sede {}, operatore {}",
            ctx.org.name, data.ente_code, data.seat_belfiore, data.operator_cf
        ),
    );
    state
        .store
        .save_siuss_sender(
            &SiussSender {
                org_id: ctx.org.id,
                ente_code: data.ente_code,
                seat_belfiore: data.seat_belfiore,
                operator_cf: data.operator_cf,
                pseudonym_key: key,
                version: read + 1,
                actor: ctx.label().to_owned(),
                at_us: unix_micros(ctx.now),
            },
            &audit,
        )
        .await?;
    Ok(Ok(()))
}
