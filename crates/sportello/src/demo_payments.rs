//! The demonstration's funds and payments: the «Fondo povertà» paying every benefit in money,
//! allocated this year a little more than the demonstration's acceptances commit; IBANs for
//! most of the persons with deliveries in money (a few left without, to show what the page
//! says); the lists of the last months prepared through the services, all approved but the
//! newest, and the oldest one's bank return imported (one payment rejected).

use anyhow::{Result, anyhow};
use app::{Actor, Services};
use domain::benefit::DeliveryKind;
use domain::bill::PagopaInput;
use domain::money::Money;
use domain::payment::{AccountInput, AllocationInput, FundInput, Iban};
use std::collections::BTreeSet;
use store::{BenefitStore, BillFilter, PaymentStore};
use time::Date;

fn app(e: app::Error) -> anyhow::Error {
    anyhow!("{e}")
}

fn refused(what: &str, errors: &[domain::FieldError]) -> anyhow::Error {
    anyhow!(
        "{what}: {}",
        errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    )
}

/// The first day of the month `back` months before `d`'s.
fn months_back(d: Date, back: u8) -> Date {
    let mut m = d.replace_day(1).unwrap_or(d);
    for _ in 0..back {
        m = m
            .previous_day()
            .and_then(|p| p.replace_day(1).ok())
            .unwrap_or(m);
    }
    m
}

/// Seeds the funds and payments; what it made, in words.
pub async fn generate(services: &Services, actor: &Actor) -> Result<String> {
    let org = actor.org.id;
    let treasury = Iban::italian('X', "05428", "11101", "000000123456")
        .ok_or_else(|| anyhow!("IBAN di tesoreria dimostrativo"))?;
    let fund = app::payment::create_fund(
        services,
        actor,
        &FundInput {
            name: "Fondo povertà".into(),
            kind: "nazionale".into(),
            debtor_iban: treasury.as_str().into(),
        },
    )
    .await
    .map_err(app)?
    .map_err(|e| refused("fondo dimostrativo", &e))?;
    for b in services.store.list_benefits(org).await? {
        if b.data.delivery == DeliveryKind::Money {
            app::payment::link_benefit(services, actor, b.id, Some(fund))
                .await
                .map_err(app)?;
        }
    }
    let year = actor.now.date().year();
    let committed = app::payment::funds(services, actor, year)
        .await
        .map_err(app)?
        .into_iter()
        .find(|f| f.fund.id == fund)
        .map_or(Money::ZERO, |f| f.committed);
    // A tenth more than committed, in whole thousands: some room left to accept.
    let allocation = Money((committed.cents() * 11 / 10 / 100_000 + 1) * 100_000);
    app::payment::save_allocation(
        services,
        actor,
        fund,
        &AllocationInput {
            year: year.to_string(),
            comune: String::new(),
            amount: allocation.format_plain(),
        },
    )
    .await
    .map_err(app)?
    .map_err(|e| refused("stanziamento dimostrativo", &e))?;

    // IBANs for the persons paid in the last four months, one in eight left without.
    let months: Vec<Date> = (1..=4)
        .rev()
        .map(|b| months_back(actor.now.date(), b))
        .collect();
    let mut persons = BTreeSet::new();
    for m in &months {
        for p in services.store.payable(org, fund, *m).await? {
            persons.insert((p.person_id, p.person_name));
        }
    }
    for (n, (person, name)) in persons.iter().enumerate() {
        if n % 8 == 7 {
            continue;
        }
        let iban = Iban::italian('A', "03069", "09606", &format!("{:012}", n + 1))
            .ok_or_else(|| anyhow!("IBAN dimostrativo"))?;
        app::payment::save_account(
            services,
            actor,
            *person,
            &AccountInput {
                iban: iban.as_str().into(),
                holder: name.clone(),
            },
            "0",
        )
        .await
        .map_err(app)?
        .map_err(|e| refused("IBAN dimostrativo", &e))?;
    }

    // The lists: approved but the newest; the oldest one's return imported.
    let mut lists = Vec::new();
    for m in &months {
        let done = app::payment::prepare_list(services, actor, fund, *m)
            .await
            .map_err(app)?;
        if let Some(id) = done.list {
            lists.push(id);
        }
    }
    let approved = lists.len().saturating_sub(1);
    for id in &lists[..approved] {
        app::payment::approve(services, actor, *id, "1")
            .await
            .map_err(app)?;
    }
    let mut settled = 0;
    if approved > 0 {
        let (_, payments) = app::payment::list(services, actor, lists[0])
            .await
            .map_err(app)?;
        let csv: String = payments
            .iter()
            .enumerate()
            .map(|(n, p)| {
                if n == 0 {
                    format!("{};respinto;AC04 conto estinto\n", p.end_to_end)
                } else {
                    format!("{};pagato;\n", p.end_to_end)
                }
            })
            .collect();
        settled = payments.len();
        app::payment::import_return(services, actor, csv.as_bytes())
            .await
            .map_err(app)?
            .map_err(|e| anyhow!("esito dimostrativo: {e}"))?;
    }
    Ok(format!(
        "fondo «Fondo povertà» con {} stanziati nel {year}; {} distinte ({approved} approvate), \
         l'esito della banca importato per {settled} pagamenti; {} beneficiari senza IBAN",
        allocation.format(),
        lists.len(),
        persons.len() / 8
    ))
}

/// The demonstration's co-payment bills: the ente's pagoPA data; the bills of each of the last
/// three months issued on the first day of the month after; the treasurer's CSV paying all of
/// them but one in five, so that the list of arrears has some to remind.
pub async fn bills(services: &Services, actor: &Actor) -> Result<String> {
    let treasury = Iban::italian('X', "05428", "11101", "000000123456")
        .ok_or_else(|| anyhow!("IBAN di tesoreria dimostrativo"))?;
    app::bill::save_settings(
        services,
        actor,
        &PagopaInput {
            fiscal_code: "80034840167".into(),
            segregation_code: "01".into(),
            iban: treasury.as_str().into(),
            category: "9/0101108TS/".into(),
            due_days: "30".into(),
        },
        "0",
    )
    .await
    .map_err(app)?
    .map_err(|e| refused("impostazioni pagoPA dimostrative", &e))?;
    let today = domain::localtime::today(actor.now);
    let mut issued = 0;
    for back in (1..=3).rev() {
        let issue_on = months_back(today, back - 1);
        let then = Actor {
            now: issue_on.with_hms(9, 0, 0)?.assume_utc(),
            ..actor.clone()
        };
        issued += app::bill::issue(services, &then, months_back(today, back))
            .await
            .map_err(app)?
            .bills;
    }
    let all = app::bill::list(services, actor, &BillFilter::default())
        .await
        .map_err(app)?;
    let csv: String = all
        .iter()
        .enumerate()
        .filter(|(n, _)| n % 5 != 4)
        .map(|(n, b)| {
            let on = b
                .issued_on
                .saturating_add(time::Duration::days(n as i64 % 20));
            format!(
                "{};{};{};RC-DEMO-{n}\n",
                b.nav,
                b.amount.format_plain(),
                domain::dates::format_date(on.min(today))
            )
        })
        .collect();
    let paid = app::bill::import_payments(
        services,
        actor,
        format!("iuv;importo;data pagamento;riferimento\n{csv}").as_bytes(),
    )
    .await
    .map_err(app)?
    .map_err(|e| anyhow!("pagamenti dimostrativi delle rette: {e}"))?;
    Ok(format!(
        "{issued} avvisi pagoPA emessi negli ultimi tre mesi, {} pagati",
        paid.settled
    ))
}
