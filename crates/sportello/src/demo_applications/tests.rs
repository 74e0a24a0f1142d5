//! The generator on a synthetic population, without a database: the same plan for the same
//! seed, every state, figures that hold together, histories the procedure allows.

#![allow(clippy::unwrap_used)] // a failed step is a failed test

use super::*;
use domain::application::next_states;
use domain::benefit::base_catalogue;
use std::collections::HashSet;
use time::macros::datetime;

fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 | n)
}

/// 600 persons in households of 1–4 (head, spouse, children), born 1920–2025.
fn population() -> Population {
    let mut pop = Population::default();
    let mut n = 0u128;
    let mut h = 0usize;
    while pop.persons.len() < 600 {
        let size = 1 + h % 4;
        let mut members = Vec::new();
        for m in 0..size {
            n += 1;
            let year = if m < 2 {
                1920 + (n as i32 * 7) % 80
            } else {
                2005 + (n as i32 * 3) % 21
            };
            let birth = Date::from_calendar_date(year, Month::March, 1 + (n % 28) as u8).unwrap();
            let relationship = match m {
                0 => Relationship::Head,
                1 => Relationship::Spouse,
                _ => Relationship::Child,
            };
            members.push(pop.persons.len());
            pop.persons.push(Candidate {
                id: uuid(n),
                codice_fiscale: Some(format!("RSSMRA{n:02}A01A794X")),
                surname: format!("Cognome{h}"),
                given_names: format!("Nome{n}"),
                birth_date: birth,
                resident: !n.is_multiple_of(19),
                household: Some(h),
                relationship: Some(relationship),
            });
        }
        pop.households.push(members);
        h += 1;
    }
    pop
}

fn staff() -> Vec<Operator> {
    vec![
        Operator {
            id: uuid(900_001),
            login: "resp.demo".into(),
            role: Role::Responsabile,
        },
        Operator {
            id: uuid(900_002),
            login: "sportello.demo".into(),
            role: Role::OperatoreSportello,
        },
    ]
}

const ORG: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_00AB_CDEF);

fn catalogue(now: OffsetDateTime) -> Vec<Entry> {
    let from = first_of_year(today(now));
    let mut out: Vec<Entry> = base_catalogue(from)
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let id = uuid(800_000 + i as u128);
            Entry {
                rules: s
                    .rule
                    .map(|rule| BenefitRule {
                        id: uuid(700_000 + i as u128),
                        org_id: ORG,
                        benefit_id: id,
                        rule,
                        actor: "sistema".into(),
                        at_us: 1,
                    })
                    .into_iter()
                    .collect(),
                benefit: Benefit {
                    id,
                    org_id: ORG,
                    data: s.data,
                    version: 1,
                    created_at_us: 1,
                },
            }
        })
        .collect();
    out.sort_by(|a, b| a.benefit.data.code.cmp(&b.benefit.data.code));
    out
}

fn make(seed: u64, count: usize, now: OffsetDateTime) -> Plan {
    let pop = population();
    let staff = staff();
    let cat = catalogue(now);
    plan(&Setup {
        org_id: ORG,
        now,
        seed,
        count,
        population: &pop,
        staff: &staff,
        catalogue: &cat,
    })
    .unwrap()
}

const NOW: OffsetDateTime = datetime!(2026-12-03 11:30 UTC);

#[test]
fn the_same_seed_gives_the_same_plan_and_another_seed_another() {
    let a = make(7, 150, NOW);
    assert_eq!(a, make(7, 150, NOW));
    let b = make(8, 150, NOW);
    assert_ne!(a.applications, b.applications);
    // The rows written are the same too.
    let cat = catalogue(NOW);
    let staff = staff();
    let rows = |p: &Plan| -> Vec<Stage> {
        p.applications
            .iter()
            .flat_map(|x| stages(x, &cat, &staff, today(NOW)).unwrap())
            .collect()
    };
    assert_eq!(rows(&a), rows(&make(7, 150, NOW)));
}

#[test]
fn every_state_is_present_even_in_a_small_plan() {
    for count in [10, 40, 300] {
        let p = make(1, count, NOW);
        assert_eq!(p.applications.len(), count);
        let states: HashSet<St> = p.applications.iter().map(AppPlan::state).collect();
        for s in St::ALL {
            assert!(states.contains(s), "{count} domande: manca lo stato {s:?}");
        }
    }
}

#[test]
fn attestations_have_valid_protocols_and_figures_that_hold_together() {
    let p = make(3, 400, NOW);
    assert!(p.attestations.len() > 300, "{}", p.attestations.len());
    let mut protocols = HashSet::new();
    for a in &p.attestations {
        let d = &a.data;
        let parsed = DsuProtocol::parse("protocol", d.protocol.as_str()).unwrap();
        assert_eq!(
            parsed.year(),
            d.submitted_on.year(),
            "{}",
            d.protocol.as_str()
        );
        assert!(protocols.insert(d.protocol.clone()), "protocollo ripetuto");
        assert!(d.check_figures().is_empty(), "{d:?}");
        assert_eq!(
            d.isr.cents() + d.isp.cents() / 5,
            d.ise.cents(),
            "ISE = ISR + 20% ISP"
        );
        assert_eq!(
            Money::from_decimal(d.ise.to_decimal() / d.scala),
            Some(d.isee),
            "ISEE = ISE / scala"
        );
        assert_eq!(usize::from(d.members), d.member_list.len());
        assert_eq!(d.member_list[0].relation, "D");
        assert_eq!(
            d.declarant_cf.as_deref(),
            Some(d.member_list[0].codice_fiscale.as_str())
        );
        assert!(d.submitted_on <= today(NOW));
    }
    // Most are this year's; a few are last year's and expired.
    let expired = p
        .attestations
        .iter()
        .filter(|a| a.data.valid_until() < first_of_year(today(NOW)))
        .count();
    assert!(
        expired > 0 && expired * 5 < p.attestations.len(),
        "{expired}"
    );
}

#[test]
fn histories_follow_the_procedure_and_decisions_follow_the_rules() {
    let now = NOW;
    let p = make(5, 400, now);
    let cat = catalogue(now);
    let staff = staff();
    let day = today(now);
    let jan1 = first_of_year(day);
    let attestations: HashMap<Uuid, &Attestation> =
        p.attestations.iter().map(|a| (a.id, a)).collect();
    let mut protocols_due = 0;
    for a in &p.applications {
        let rows = stages(a, &cat, &staff, day).unwrap();
        assert_eq!(rows.len(), a.steps.len());
        assert!(matches!(rows[0].app.state, St::Draft | St::Submitted));
        assert_eq!(rows[0].event.from, None);
        for w in rows.windows(2) {
            let (x, y) = (&w[0], &w[1]);
            assert!(
                next_states(x.app.state).contains(&y.app.state),
                "{:?} → {:?}",
                x.app.state,
                y.app.state
            );
            assert_eq!(y.app.version, x.app.version + 1);
            assert_eq!(y.event.from, Some(x.app.state));
            assert!(y.event.at_us > x.event.at_us);
        }
        for (row, step) in rows.iter().zip(&a.steps) {
            assert!(step.on >= jan1 && step.on <= day, "{}", step.on);
            assert!(row.event.at_us <= unix_micros(now));
        }
        let last = rows.last().unwrap();
        let app = &last.app;
        if let Some(submitted) = app.submitted_on {
            protocols_due += 1;
            assert!(app.due_on.unwrap() >= submitted + Duration::days(30));
        }
        if let Some(id) = app.attestation_id {
            assert_eq!(attestations[&id].person_id, app.person_id);
        }
        let needs = cat[a.entry].benefit.data.isee_variant.is_some();
        match app.state {
            St::Accepted | St::Delivering | St::Concluded => {
                let o = app.outcome.as_ref().expect("un esito");
                assert!(o.eligible, "accolta con esito negativo: {o:?}");
                if needs {
                    let att = attestations[&app.attestation_id.unwrap()];
                    assert!(att.data.valid_until() >= app.submitted_on.unwrap());
                }
                assert!(app.decided_on.is_some());
            }
            St::NoticeOfRejection | St::Rejected => {
                let o = app.outcome.as_ref().expect("un esito");
                assert!(!o.eligible);
                assert!(!app.decision_note.is_empty());
            }
            _ => {}
        }
        match app.state {
            St::NoticeOfRejection => {
                assert_eq!(app.notice_on, app.suspended_since);
                assert!(app.notice_on.is_some());
            }
            St::Rejected => {
                // The term was suspended from the notice and runs again ten days after the
                // observations (art. 10-bis as amended by D.L. 76/2020).
                let notice = a.steps[2].on;
                let rejected = a.steps[3].on;
                let restart = rejected + Duration::days(10);
                assert_eq!(
                    app.due_on,
                    Some(app.submitted_on.unwrap() + Duration::days(30) + (restart - notice))
                );
                assert!(app.suspended_since.is_none() && app.notice_on.is_none());
            }
            St::IntegrationRequested => assert!(app.suspended_since.is_some()),
            St::Draft => assert!(app.submitted_on.is_none()),
            _ => assert!(app.suspended_since.is_none() || app.state.is_suspended()),
        }
        let deliveries: Vec<&Delivery> = rows.iter().flat_map(|r| &r.deliveries).collect();
        match app.state {
            St::Delivering | St::Concluded => {
                assert!(!deliveries.is_empty());
                let paid: i64 = deliveries.iter().map(|d| d.amount.cents()).sum();
                let owed: i64 = deliveries.iter().map(|d| d.co_payment.cents()).sum();
                assert!(paid == 0 || owed == 0);
                if app.state == St::Concluded {
                    assert!(
                        deliveries
                            .iter()
                            .all(|d| d.status == DeliveryStatus::Delivered)
                    );
                }
            }
            _ => assert!(deliveries.is_empty()),
        }
    }
    assert!(protocols_due > 300);
}

#[test]
fn the_plan_depends_on_the_date_not_the_time_of_day() {
    let later = datetime!(2026-12-03 17:45:12 UTC);
    assert_eq!(make(9, 120, NOW), make(9, 120, later));
    let last = today(NOW) - Duration::days(1);
    for a in make(9, 120, NOW).applications {
        assert!(a.steps.iter().all(|s| s.on <= last));
    }
}

#[test]
fn on_new_year_s_day_everything_happens_that_morning() {
    let now = datetime!(2027-01-01 10:00 UTC);
    let p = make(4, 60, now);
    let cat = catalogue(now);
    for a in &p.applications {
        assert!(a.steps.iter().all(|s| s.on == today(now)));
        let rows = stages(a, &cat, &staff(), today(now)).unwrap();
        for w in rows.windows(2) {
            assert!(next_states(w[0].app.state).contains(&w[1].app.state));
            assert!(w[1].event.at_us > w[0].event.at_us);
        }
    }
}

#[test]
fn early_in_january_everything_still_fits_in_the_year() {
    let now = datetime!(2027-01-04 09:00 UTC);
    let p = make(2, 120, now);
    let cat = catalogue(now);
    let staff = staff();
    let day = today(now);
    let states: HashSet<St> = p.applications.iter().map(AppPlan::state).collect();
    assert!(states.len() >= 8, "{states:?}");
    for a in &p.applications {
        for s in &a.steps {
            assert!(s.on.year() == 2027 && s.on <= day);
        }
        let rows = stages(a, &cat, &staff, day).unwrap();
        for w in rows.windows(2) {
            assert!(next_states(w[0].app.state).contains(&w[1].app.state));
        }
    }
}
