//! Co-payment bills (rette) for the responsabile and the ragioneria: the ente's pagoPA
//! settings, the month's bills issued from the deliveries made, each with its pagoPA notice
//! (PDF with the QR code), the debt positions for pagoPA's GPD, the payments imported from
//! pagoPA or the treasurer, the arrears and their reminders. Every change is audited in its
//! transaction; every read of names and amounts owed is logged.

use crate::procedure::Mailed;
use crate::{Actor, Error, Services};
use domain::FieldError;
use domain::application::month_label;
use domain::audit::unix_micros;
use domain::bill::{
    self, BillState, GpdBill, Notice, PagopaData, PagopaInput, due_date, reminder_allowed,
};
use domain::dates::format_date;
use domain::localtime::today;
use domain::money::Money;
use domain::payment::Iban;
use domain::policy::{Action, RecordScope};
use store::{
    Bill, BillFilter, BillLine, BillPayment, BillStore, Billable, PagopaSettings, PaymentMatch,
    PersonStore, StoreError,
};
use time::Date;
use uuid::Uuid;

/// The ente's pagoPA settings, `None` before they are first saved.
pub async fn settings(state: &Services, ctx: &Actor) -> Result<Option<PagopaSettings>, Error> {
    ctx.authorize(Action::BillManage, RecordScope::SameOrg)?;
    Ok(state.store.pagopa_settings(ctx.org.id).await?)
}

/// Saves the ente's pagoPA settings at the version read (0 before the first save).
pub async fn save_settings(
    state: &Services,
    ctx: &Actor,
    input: &PagopaInput,
    version: &str,
) -> Result<Result<(), Vec<FieldError>>, Error> {
    ctx.authorize(Action::BillManage, RecordScope::SameOrg)?;
    let data = match bill::parse_pagopa(input) {
        Ok(d) => d,
        Err(errors) => return Ok(Err(errors)),
    };
    let read: i64 = crate::read_version(version, "delle impostazioni")?;
    let audit = ctx.audit(
        "bill.settings",
        "organization",
        Some(ctx.org.id),
        format!(
            "Impostazioni pagoPA: ente {}, codice di segregazione {:02}, conto {}, tassonomia {}, {} giorni per pagare",
            data.fiscal_code,
            data.segregation_code,
            data.iban.grouped(),
            data.category,
            data.due_days
        ),
    );
    state
        .store
        .save_pagopa_settings(
            &PagopaSettings {
                org_id: ctx.org.id,
                fiscal_code: data.fiscal_code,
                segregation_code: i64::from(data.segregation_code),
                iban: data.iban.as_str().to_owned(),
                category: data.category,
                due_days: data.due_days,
                version: read + 1,
                actor: ctx.label().to_owned(),
                at_us: unix_micros(ctx.now),
            },
            &audit,
        )
        .await?;
    Ok(Ok(()))
}

/// The stored settings back in their domain type (they were checked when saved).
fn pagopa(s: &PagopaSettings) -> Result<PagopaData, Error> {
    let corrupt = |what: &str| Error::Internal(format!("impostazioni pagoPA illeggibili: {what}"));
    Ok(PagopaData {
        fiscal_code: s.fiscal_code.clone(),
        segregation_code: u8::try_from(s.segregation_code)
            .map_err(|_| corrupt("codice di segregazione"))?,
        iban: Iban::parse("iban", &s.iban).map_err(|_| corrupt("IBAN"))?,
        category: s.category.clone(),
        due_days: s.due_days,
    })
}

async fn required_settings(state: &Services, ctx: &Actor) -> Result<PagopaData, Error> {
    match state.store.pagopa_settings(ctx.org.id).await? {
        Some(s) => pagopa(&s),
        None => Err(Error::BadRequest(
            "prima di emettere le rette inserire i dati pagoPA dell'ente (Rette → Impostazioni pagoPA)"
                .into(),
        )),
    }
}

/// What issuing a month's bills did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub bills: usize,
    pub total: Money,
}

/// Issues the bills of `month` (its first day): one per person, with a line for each
/// delivery made that month with a co-payment no live bill covers yet.
pub async fn issue(state: &Services, ctx: &Actor, month: Date) -> Result<Issued, Error> {
    ctx.authorize(Action::BillManage, RecordScope::SameOrg)?;
    let settings = required_settings(state, ctx).await?;
    let issued_on = today(ctx.now);
    if month > issued_on {
        return Err(Error::BadRequest(format!(
            "le rette di {} si emettono a mese iniziato, dalle mensilità erogate",
            month_label(month)
        )));
    }
    let billable = state.store.billable(ctx.org.id, month).await?;
    let at_us = unix_micros(ctx.now);
    let mut bills: Vec<(Bill, Vec<BillLine>)> = Vec::new();
    for b in billable {
        let same_person = bills
            .last()
            .is_some_and(|(last, _)| last.person_id == b.person_id);
        if !same_person {
            bills.push((
                new_bill(ctx, &b, month, issued_on, &settings, at_us),
                Vec::new(),
            ));
        }
        if let Some((bill, lines)) = bills.last_mut() {
            bill.amount = bill.amount + b.co_payment;
            lines.push(BillLine {
                bill_id: bill.id,
                delivery_id: b.delivery_id,
                application_id: Uuid::nil(),
                benefit_name: b.benefit_name.clone(),
                quantity: b.quantity,
                amount: b.co_payment,
                now_co_payment: b.co_payment,
                now_delivered: true,
            });
        }
    }
    for (bill, lines) in &mut bills {
        let mut names: Vec<&str> = lines.iter().map(|l| l.benefit_name.as_str()).collect();
        names.dedup();
        bill.description = format!(
            "Compartecipazione {}: {}",
            month_label(month),
            names.join(", ")
        )
        .chars()
        .take(140)
        .collect();
    }
    let total = bills.iter().fold(Money::ZERO, |s, (b, _)| s + b.amount);
    if bills.is_empty() {
        return Ok(Issued {
            bills: 0,
            total: Money::ZERO,
        });
    }
    let audit = ctx.audit(
        "bill.issue",
        "bill",
        None,
        format!(
            "Emesse le rette di {}: {} avvisi pagoPA per {}",
            month_label(month),
            bills.len(),
            total.format()
        ),
    );
    match state.store.issue_bills(ctx.org.id, &bills, &audit).await {
        Ok(()) => Ok(Issued {
            bills: bills.len(),
            total,
        }),
        Err(StoreError::Duplicate(_)) => Err(Error::BadRequest(format!(
            "nel frattempo sono state emesse altre rette di {}: ricaricare la pagina",
            month_label(month)
        ))),
        Err(e) => Err(e.into()),
    }
}

fn new_bill(
    ctx: &Actor,
    b: &Billable,
    month: Date,
    issued_on: Date,
    settings: &PagopaData,
    at_us: i64,
) -> Bill {
    Bill {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        person_id: b.person_id,
        person_name: b.person_name.clone(),
        fiscal_code: None,
        month,
        description: String::new(),
        amount: Money::ZERO,
        paid: Money::ZERO,
        iuv: String::new(),
        nav: String::new(),
        issued_on,
        due_on: due_date(issued_on, settings.due_days),
        state: BillState::Issued,
        reminders: 0,
        last_reminder_on: None,
        version: 1,
        actor: ctx.label().to_owned(),
        at_us,
    }
}

/// The bills the filter picks (names and amounts owed: logged as a read).
pub async fn list(state: &Services, ctx: &Actor, filter: &BillFilter) -> Result<Vec<Bill>, Error> {
    ctx.authorize(Action::BillManage, RecordScope::SameOrg)?;
    let bills = state.store.bills(ctx.org.id, filter).await?;
    let what = match (filter.month, filter.overdue_on) {
        (_, Some(on)) => format!("le rette scadute al {}", format_date(on)),
        (Some(m), None) => format!("le rette di {}", month_label(m)),
        (None, None) => "le rette".to_owned(),
    };
    state
        .reads
        .log(ctx.audit(
            "bill.list",
            "bill",
            None,
            format!("Consultate {what} ({} avvisi)", bills.len()),
        ))
        .await;
    Ok(bills)
}

/// A bill with its lines and payments, logged as a read.
pub async fn bill(
    state: &Services,
    ctx: &Actor,
    id: Uuid,
) -> Result<(Bill, Vec<BillLine>, Vec<BillPayment>), Error> {
    ctx.authorize(Action::BillManage, RecordScope::SameOrg)?;
    let bill = state.store.get_bill(ctx.org.id, id).await?;
    let lines = state.store.bill_lines(ctx.org.id, id).await?;
    let payments = state.store.bill_payments(ctx.org.id, id).await?;
    state
        .reads
        .log(ctx.audit(
            "bill.view",
            "person",
            Some(bill.person_id),
            format!(
                "Consultata la retta di {} di {}",
                month_label(bill.month),
                bill.person_name
            ),
        ))
        .await;
    Ok((bill, lines, payments))
}

/// The notice as a PDF: the creditor, the debtor, the amount and due date, the notice
/// number, the ente's codice fiscale and the QR code that pays it; a reminder says so and
/// adds how many days the bill is overdue. Logged as a read.
pub async fn notice_pdf(
    state: &Services,
    ctx: &Actor,
    id: Uuid,
    reminder: bool,
) -> Result<Vec<u8>, Error> {
    ctx.authorize(Action::BillManage, RecordScope::SameOrg)?;
    let settings = required_settings(state, ctx).await?;
    let bill = state.store.get_bill(ctx.org.id, id).await?;
    let lines = state.store.bill_lines(ctx.org.id, id).await?;
    state
        .reads
        .log(ctx.audit(
            "bill.print",
            "person",
            Some(bill.person_id),
            format!(
                "Stampato {} della retta di {} di {}",
                if reminder {
                    "il sollecito"
                } else {
                    "l'avviso pagoPA"
                },
                month_label(bill.month),
                bill.person_name
            ),
        ))
        .await;
    let lh = crate::acts::letterhead(state, ctx.org.id).await?;
    Ok(render_notice(
        &ctx.org.name,
        &lh,
        &settings,
        &bill,
        &lines,
        reminder.then(|| today(ctx.now)),
    ))
}

fn render_notice(
    org_name: &str,
    lh: &domain::letterhead::Letterhead,
    settings: &PagopaData,
    bill: &Bill,
    lines: &[BillLine],
    reminder_on: Option<Date>,
) -> Vec<u8> {
    let title = match reminder_on {
        Some(_) => format!(
            "Sollecito di pagamento — retta di {}",
            month_label(bill.month)
        ),
        None => format!(
            "Avviso di pagamento pagoPA — retta di {}",
            month_label(bill.month)
        ),
    };
    let mut doc = print::Document::new(crate::acts::heading(
        org_name,
        lh,
        "Servizi sociali",
        &title,
    ));
    let outstanding = bill.outstanding();
    if let Some(on) = reminder_on {
        let late = (on - bill.due_on).whole_days().max(0);
        doc.paragraph(&format!(
            "Alla data del {} non risulta pagato l'avviso qui sotto, scaduto il {} ({} giorni fa). \
             La invitiamo a pagarlo entro 15 giorni. Se ha già pagato, non tenga conto di questo \
             sollecito. Per un piano di pagamento o se la sua situazione è cambiata, si rivolga \
             ai servizi sociali.",
            format_date(on),
            format_date(bill.due_on),
            late
        ));
    }
    doc.fields(&[
        ("Destinatario", bill.person_name.as_str()),
        (
            "Codice fiscale",
            bill.fiscal_code.as_deref().unwrap_or("non registrato"),
        ),
        ("Oggetto del pagamento", bill.description.as_str()),
        ("Ente creditore", org_name),
        (
            "Codice fiscale ente creditore",
            settings.fiscal_code.as_str(),
        ),
        ("Importo", &outstanding.format()),
        ("Da pagare entro il", &format_date(bill.due_on)),
    ]);
    doc.section("Dettaglio");
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            vec![
                l.benefit_name.clone(),
                l.quantity.map(|q| q.to_string()).unwrap_or_default(),
                l.amount.format(),
            ]
        })
        .collect();
    doc.table(&["Servizio", "Quantità", "Importo"], &[4, 1, 2], &rows);
    doc.section("Dove e come pagare");
    doc.paragraph(
        "Online sul sito o sull'app del Comune, con l'app IO, con l'home banking (CBILL o \
         pagoPA) e le app di pagamento; di persona in banca, negli uffici postali, nei punti \
         vendita SISAL, Lottomatica e Banca 5 e presso gli altri prestatori aderenti a pagoPA. \
         Inquadri il codice QR o indichi il codice avviso e il codice fiscale dell'ente.",
    );
    let notice = Notice {
        iuv: bill.iuv.clone(),
        nav: bill.nav.clone(),
    };
    let payload = notice.qr_payload(&settings.fiscal_code, outstanding);
    let code_rows = [
        ("Codice avviso".to_owned(), notice.nav_grouped()),
        ("Codice IUV".to_owned(), notice.iuv.clone()),
        (
            "Codice fiscale ente creditore".to_owned(),
            settings.fiscal_code.clone(),
        ),
        ("Importo".to_owned(), outstanding.format()),
    ];
    match qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M) {
        Ok(qr) => {
            let modules: Vec<bool> = qr
                .to_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect();
            doc.code(&modules, qr.width(), 120, &code_rows);
        }
        Err(e) => {
            // A 50-byte payload always fits a QR code; should it not, the codes are printed.
            tracing::warn!(error = %e, "QR code dell'avviso non generato");
            let rows: Vec<(&str, &str)> = code_rows
                .iter()
                .map(|(l, v)| (l.as_str(), v.as_str()))
                .collect();
            doc.fields(&rows);
        }
    }
    doc.render()
}

/// What a file of payments did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    /// Payments recorded, and of those the bills now paid in full.
    pub recorded: usize,
    pub settled: usize,
    /// Already recorded from an earlier file.
    pub duplicates: usize,
    /// IUVs that are no bill of the ente.
    pub unknown: Vec<String>,
    /// Payments of cancelled bills: to refund.
    pub to_refund: Vec<String>,
}

/// Reads pagoPA's list of paid positions or the treasurer's CSV and records each payment on
/// its bill, once. A file that cannot be read is refused whole, with the line.
pub async fn import_payments(
    state: &Services,
    ctx: &Actor,
    bytes: &[u8],
) -> Result<Result<Imported, String>, Error> {
    ctx.authorize(Action::BillManage, RecordScope::SameOrg)?;
    let paid = match bill::read_payments(bytes) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    let total = paid.iter().fold(Money::ZERO, |s, p| s + p.amount);
    let audit = ctx.audit(
        "bill.payments",
        "bill",
        None,
        format!(
            "Importati i pagamenti delle rette: {} pagamenti per {}",
            paid.len(),
            total.format()
        ),
    );
    let matches = state
        .store
        .record_bill_payments(ctx.org.id, &paid, ctx.label(), unix_micros(ctx.now), &audit)
        .await?;
    let mut out = Imported::default();
    for (p, m) in paid.iter().zip(matches) {
        match m {
            PaymentMatch::Recorded { settled, .. } => {
                out.recorded += 1;
                out.settled += usize::from(settled);
            }
            PaymentMatch::Duplicate => out.duplicates += 1,
            PaymentMatch::Unknown => out.unknown.push(p.iuv.clone()),
            PaymentMatch::Cancelled { .. } => out.to_refund.push(p.iuv.clone()),
        }
    }
    Ok(Ok(out))
}

/// Cancels a bill issued by mistake (nothing paid on it) at the version read; its
/// deliveries can be billed again.
pub async fn cancel(state: &Services, ctx: &Actor, id: Uuid, version: &str) -> Result<(), Error> {
    ctx.authorize(Action::BillManage, RecordScope::SameOrg)?;
    let bill = state.store.get_bill(ctx.org.id, id).await?;
    let read = crate::read_version(version, "dell'avviso")?;
    if bill.state != BillState::Issued || bill.paid != Money::ZERO {
        return Err(Error::BadRequest(
            "si annulla solo un avviso da pagare su cui non risultano pagamenti".into(),
        ));
    }
    let audit = ctx.audit(
        "bill.cancel",
        "person",
        Some(bill.person_id),
        format!(
            "Annullata la retta di {} di {} (avviso {}, {})",
            month_label(bill.month),
            bill.person_name,
            bill.nav,
            bill.amount.format()
        ),
    );
    state
        .store
        .cancel_bill(ctx.org.id, id, read, &audit)
        .await?;
    Ok(())
}

/// Records a reminder of an overdue bill at the version read and tells the person by e-mail
/// that there is news on the portal (no amounts in the e-mail). Never to a deceased person:
/// their debts go to the heirs, by letter.
pub async fn remind(
    state: &Services,
    ctx: &Actor,
    id: Uuid,
    version: &str,
) -> Result<Mailed, Error> {
    ctx.authorize(Action::BillManage, RecordScope::SameOrg)?;
    let bill = state.store.get_bill(ctx.org.id, id).await?;
    let read = crate::read_version(version, "dell'avviso")?;
    let on = today(ctx.now);
    if bill.state != BillState::Issued {
        return Err(Error::BadRequest(format!(
            "l'avviso è {}: non serve un sollecito",
            bill.state.label()
        )));
    }
    reminder_allowed(bill.due_on, bill.last_reminder_on, on).map_err(Error::BadRequest)?;
    let person = state.store.get_person(ctx.org.id, bill.person_id).await?;
    if person.data.death_date.is_some() {
        return Err(Error::BadRequest(format!(
            "{} è deceduto/a: il sollecito non si invia alla persona; rivolgersi agli eredi con una lettera",
            bill.person_name
        )));
    }
    let audit = ctx.audit(
        "bill.remind",
        "person",
        Some(bill.person_id),
        format!(
            "Sollecito n. {} della retta di {} di {}: {} da pagare, scaduta il {}",
            bill.reminders + 1,
            month_label(bill.month),
            bill.person_name,
            bill.outstanding().format(),
            format_date(bill.due_on)
        ),
    );
    state
        .store
        .record_reminder(ctx.org.id, id, read, on, &audit)
        .await?;
    let account = crate::follow::portal_account(state, ctx.org.id, &person)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "portal account of the debtor not read");
            None
        });
    let to: Vec<String> = account
        .and_then(|u| u.email)
        .or_else(|| person.data.email.clone())
        .into_iter()
        .collect();
    Ok(crate::follow::news_to(state, ctx, &to).await)
}

/// The month's live bills as the body of GPD's bulk creation (JSON), for the partner that
/// publishes them on pagoPA. Logged as a read.
pub async fn gpd_export(state: &Services, ctx: &Actor, month: Date) -> Result<Vec<u8>, Error> {
    ctx.authorize(Action::BillManage, RecordScope::SameOrg)?;
    let settings = required_settings(state, ctx).await?;
    let bills = state
        .store
        .bills(
            ctx.org.id,
            &BillFilter {
                month: Some(month),
                state: Some(BillState::Issued),
                ..BillFilter::default()
            },
        )
        .await?;
    state
        .reads
        .log(ctx.audit(
            "bill.gpd",
            "bill",
            None,
            format!(
                "Esportate per pagoPA le posizioni debitorie di {}: {}",
                month_label(month),
                bills.len()
            ),
        ))
        .await;
    let mut positions = Vec::with_capacity(bills.len());
    for b in &bills {
        let person = state.store.get_person(ctx.org.id, b.person_id).await?;
        positions.push(GpdBill {
            iupd: b.id.to_string(),
            // pagoPA names a debtor without a codice fiscale «ANONIMO».
            debtor_fiscal_code: b
                .fiscal_code
                .clone()
                .unwrap_or_else(|| "ANONIMO".to_owned()),
            debtor_name: b.person_name.clone(),
            debtor_email: person.data.email.clone(),
            notice: Notice {
                iuv: b.iuv.clone(),
                nav: b.nav.clone(),
            },
            amount: b.outstanding(),
            description: b.description.clone(),
            due_on: b.due_on,
        });
    }
    let body = bill::gpd_positions(&settings, &ctx.org.name, &positions);
    serde_json::to_vec_pretty(&body).map_err(|e| Error::Internal(e.to_string()))
}
