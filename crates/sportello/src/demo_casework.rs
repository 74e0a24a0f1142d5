//! The office at work in the demonstration: first accesses at the segretariato (some recorded
//! later, some with a follow-up, one follow-up done), case files with their diaries,
//! interviews held (with their outcome) and to come, SINA and SINBA assessments and individual
//! plans (PAI). Everything goes through the app services, as the pages do, so that the audit
//! rows, the case files' histories and the appointments' histories exist.

use anyhow::{Context, Result, anyhow};
use app::{Actor, Services};
use domain::Role;
use domain::assessment::{FormCode, current, parse_answers};
use domain::casework::{
    AccessInput, AppointmentData, DiaryInput, InterventionInput, OutcomeInput, PlanInput,
    parse_access, parse_diary, parse_intervention, parse_plan,
};
use domain::dates::format_date;
use domain::localtime::{from_local, today};
use std::collections::BTreeMap;
use store::{CaseStore, Organization, Person, PersonStore, UserStore};
use time::{Date, Duration, OffsetDateTime, Time};

/// First accesses that end with information or a referral (besides those of the case files).
const DEMO_OTHER_ACCESSES: usize = 12;

/// The household of the sample INPS attestation (`docs/examples/attestazione-inps.xml`), also
/// in the sample civil-registry list (`docs/examples/anagrafe-A794.csv`): codice fiscale,
/// surname, given names, sex, birth date. The demonstration registers it, so that the sample
/// XML imports onto a person the demonstration knows.
pub const SAMPLE_HOUSEHOLD: [(&str, &str, &str, &str, &str); 3] = [
    ("RSSMRA80A01A794J", "Rossi", "Mario", "M", "01/01/1980"),
    ("BNCNNA82C55A794A", "Bianchi", "Anna", "F", "15/03/1982"),
    ("RSSLCU15H10A794D", "Rossi", "Luca", "M", "10/06/2015"),
];

/// Registers [`SAMPLE_HOUSEHOLD`] in the anagrafe sociale, resident in Bergamo.
pub async fn sample_household(
    s: &Services,
    org: &Organization,
    now: OffsetDateTime,
) -> Result<Vec<Person>> {
    let desk = actor(s, org, "sportello", Role::OperatoreSportello, now).await?;
    let mut out = Vec::new();
    for (cf, surname, given_names, sex, born) in SAMPLE_HOUSEHOLD {
        let input = domain::person::PersonInput {
            codice_fiscale: cf.into(),
            surname: surname.into(),
            given_names: given_names.into(),
            sex: sex.into(),
            birth_date: born.into(),
            birthplace: "Bergamo".into(),
            citizenship: "IT".into(),
            residence_istat: crate::demo::DEFAULT_COMUNE.into(),
            residence_street: "Via Novelli 9".into(),
            ..Default::default()
        };
        let data = domain::person::parse_person(&input, today(now)).map_err(fields)?;
        out.push(app::person::create_person(s, &desk, data).await?);
    }
    Ok(out)
}

/// What [`generate`] made.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Casework {
    pub accesses: usize,
    pub follow_ups_due: usize,
    pub case_files: usize,
    pub diary_entries: usize,
    pub appointments_held: usize,
    pub appointments_booked: usize,
    pub assessments: usize,
    pub plans: usize,
}

impl Casework {
    pub fn report(&self) -> String {
        format!(
            "{} accessi al segretariato ({} seguiti da fare), {} cartelle sociali con {} \
             annotazioni, {} colloqui svolti e {} fissati, {} valutazioni SINA/SINBA, {} PAI",
            self.accesses,
            self.follow_ups_due,
            self.case_files,
            self.diary_entries,
            self.appointments_held,
            self.appointments_booked,
            self.assessments,
            self.plans
        )
    }
}

fn app_err(e: app::Error) -> anyhow::Error {
    anyhow!("{e}")
}

fn fields(e: Vec<domain::FieldError>) -> anyhow::Error {
    anyhow!(
        "{}",
        e.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    )
}

fn age(birth: Date, on: Date) -> i32 {
    let years = on.year() - birth.year();
    if (on.month() as u8, on.day()) < (birth.month() as u8, birth.day()) {
        years - 1
    } else {
        years
    }
}

/// A weekday `days` before (negative) or after `on`: off the weekend, moved towards `on`'s
/// side (a past day stays past, a future day stays future).
fn weekday(on: Date, days: i64) -> Date {
    let mut d = on + Duration::days(days);
    while domain::localtime::is_weekend(d) {
        d = if days <= 0 {
            d.previous_day().unwrap_or(d)
        } else {
            d.next_day().unwrap_or(d)
        };
    }
    d
}

fn answers(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.iter().map(|s| (*s).to_owned()).collect()))
        .collect()
}

/// An actor of the demonstration organization by login, with the role it has there.
async fn actor(
    s: &Services,
    org: &Organization,
    login: &str,
    role: Role,
    now: OffsetDateTime,
) -> Result<Actor> {
    let user = s
        .store
        .get_user_by_login(&domain::Login::parse(login)?)
        .await
        .with_context(|| format!("l'utente dimostrativo {login} manca"))?;
    Ok(Actor::user(&user, org.clone(), role, now))
}

/// Fills the demonstration organization with the work of the segretariato and the case files,
/// for the registry persons `persons` (ids of living residents, in a fixed order).
pub async fn generate(
    s: &Services,
    org: &Organization,
    persons: &[uuid::Uuid],
    now: OffsetDateTime,
) -> Result<Casework> {
    let desk = actor(s, org, "sportello", Role::OperatoreSportello, now).await?;
    let worker = actor(s, org, "assistente", Role::AssistenteSociale, now).await?;
    let worker_id = worker.account().map_err(app_err)?;
    let worker_name = s.store.get_user(worker_id).await?.full_name;
    let today = today(now);
    let mut people = Vec::new();
    for id in persons {
        people.push(s.store.get_person(org.id, *id).await?);
    }
    let by_age = |lo: i32, hi: i32| {
        people
            .iter()
            .filter(move |p| (lo..hi).contains(&age(p.data.birth_date, today)))
    };
    let elderly: Vec<&Person> = by_age(75, 120).take(3).collect();
    let minors: Vec<&Person> = by_age(6, 17).take(3).collect();
    let adults: Vec<&Person> = by_age(25, 64).take(3 + DEMO_OTHER_ACCESSES).collect();
    anyhow::ensure!(
        elderly.len() == 3 && minors.len() == 3 && adults.len() == 3 + DEMO_OTHER_ACCESSES,
        "la popolazione dimostrativa non ha abbastanza anziani, minori e adulti"
    );
    let mut made = Casework::default();

    // First accesses that end at the desk: information, referrals, follow-ups.
    for (k, p) in adults[3..].iter().enumerate() {
        let day = weekday(today, -(k as i64 * 3 % 40));
        let follow_up = k % 3 == 0;
        // Today's accesses are recorded as they happen: no day and hour typed.
        let (date, time) = if day == today {
            (String::new(), String::new())
        } else {
            (
                format_date(day),
                format!("{:02}:{:02}", 9 + k % 4, (k * 7) % 60),
            )
        };
        let input = AccessInput {
            date,
            time,
            channel: ["di_persona", "telefono", "email", "altri_servizi"][k % 4].into(),
            referral: if k % 4 == 3 {
                "Centro per l'impiego".into()
            } else {
                String::new()
            },
            needs: [
                vec!["economico".to_owned()],
                vec!["lavoro".to_owned(), "economico".to_owned()],
                vec!["abitativo".to_owned()],
                vec!["orientamento".to_owned()],
                vec!["documenti".to_owned(), "integrazione".to_owned()],
            ][k % 5]
                .clone(),
            request: [
                "Chiede quali contributi esistono per le bollette",
                "Ha perso il lavoro e chiede un sostegno",
                "Ha ricevuto l'intimazione di sfratto",
                "Chiede informazioni sull'assegno unico",
                "Deve rinnovare il permesso di soggiorno",
            ][k % 5]
                .into(),
            information: "Consegnato il foglio informativo delle prestazioni.".into(),
            outcome: if k % 4 == 3 { "invio" } else { "informazioni" }.into(),
            follow_up: if follow_up {
                "Richiamare per dire se la domanda è completa".into()
            } else {
                String::new()
            },
            follow_up_date: if follow_up {
                format_date(weekday(today, 2 + k as i64))
            } else {
                String::new()
            },
            on_behalf_of: String::new(),
        };
        let entry = parse_access(&input, now, p.data.birth_date).map_err(fields)?;
        let r = app::intake::record_access(s, &desk, p, entry)
            .await
            .map_err(app_err)?;
        made.accesses += 1;
        if follow_up {
            if k == 0 {
                app::intake::close_follow_up(s, &desk, r.id, "Operatore Dimostrativo")
                    .await
                    .map_err(app_err)?;
            } else {
                made.follow_ups_due += 1;
            }
        }
    }

    // Case files: the access that led to each, its diary, an interview held and one to come,
    // the assessment that fits the person, the plan.
    let cases: Vec<(&Person, Option<FormCode>)> = elderly
        .iter()
        .map(|p| (*p, Some(FormCode::Sina)))
        .chain(minors.iter().map(|p| (*p, Some(FormCode::Sinba))))
        .chain(adults[..3].iter().map(|p| (*p, None)))
        .collect();
    for (k, (p, form)) in cases.into_iter().enumerate() {
        let opened_on = weekday(today, -(60 + 9 * k as i64));
        let (needs, request, goals) = match form {
            Some(FormCode::Sina) => (
                vec!["assistenza_domiciliare", "non_autosufficienza"],
                "La figlia chiede aiuto: la madre non riesce più a lavarsi e a cucinare da sola",
                "Permanenza al domicilio in sicurezza: assistenza domiciliare tre mattine a settimana",
            ),
            Some(FormCode::Sinba) => (
                vec!["cura_figli", "tutela_minori"],
                "La scuola segnala assenze ripetute e difficoltà della famiglia",
                "Frequenza scolastica regolare; sostegno educativo alla famiglia",
            ),
            None => (
                vec!["economico", "lavoro"],
                "Senza reddito da sei mesi, chiede aiuto per l'affitto",
                "Inserimento lavorativo entro l'anno; nessuna morosità nuova",
            ),
        };
        let on_behalf_of = if form == Some(FormCode::Sina) {
            "la figlia"
        } else {
            ""
        };
        let channel = if form == Some(FormCode::Sinba) {
            "scuola"
        } else {
            "di_persona"
        };
        let access = parse_access(
            &AccessInput {
                date: format_date(opened_on),
                time: "10:30".into(),
                on_behalf_of: on_behalf_of.into(),
                channel: channel.into(),
                referral: if channel == "scuola" {
                    "Istituto comprensivo di Bergamo".into()
                } else {
                    String::new()
                },
                needs: needs.iter().map(|n| (*n).to_owned()).collect(),
                request: request.into(),
                information: String::new(),
                outcome: "presa_in_carico".into(),
                follow_up: String::new(),
                follow_up_date: String::new(),
            },
            now,
            p.data.birth_date,
        )
        .map_err(fields)?;
        let access = app::intake::record_access(s, &worker, p, access)
            .await
            .map_err(app_err)?;
        made.accesses += 1;
        let (case_id, _) = app::casefile::open_case_file(
            s,
            &worker,
            p,
            worker_id,
            opened_on,
            "Presa in carico dopo il primo colloquio".into(),
            Some(access.id),
        )
        .await
        .map_err(app_err)?;
        made.case_files += 1;
        let case = app::casefile::case_access(s, &worker, case_id)
            .await
            .map_err(app_err)?;
        for (days, kind, confidentiality, title, body) in [
            (
                3,
                "visita_domiciliare",
                "normale",
                "Visita a casa",
                "Casa in ordine; la persona è accogliente e collabora.",
            ),
            (
                10,
                "telefonata",
                "normale",
                "Telefonata con il medico di base",
                "Concordato un aggiornamento dopo la prossima visita.",
            ),
            (
                20,
                "nota",
                "riservato",
                "Situazione familiare",
                "Riferisce tensioni in famiglia che preferisce non si sappiano.",
            ),
        ] {
            let data = parse_diary(
                &DiaryInput {
                    kind: kind.into(),
                    date: format_date(opened_on + Duration::days(days)),
                    confidentiality: confidentiality.into(),
                    title: title.into(),
                    body: body.into(),
                },
                opened_on,
                today,
            )
            .map_err(fields)?;
            app::casefile::add_diary_entry(s, &worker, &case, data)
                .await
                .map_err(app_err)?;
            made.diary_entries += 1;
        }
        // An interview held a fortnight ago, with its outcome (which writes the diary entry).
        let held_on = weekday(today, -14 - k as i64);
        let held = interview(
            from_local(held_on, Time::from_hms(9, 0, 0)?),
            "Colloquio di verifica",
        );
        let a = app::agenda::book_appointment(
            s,
            &worker,
            p,
            (worker_id, &worker_name),
            Some(case_id),
            held,
        )
        .await
        .map_err(app_err)?;
        let access = app::agenda::appointment_access(s, &worker, a.id)
            .await
            .map_err(app_err)?;
        app::agenda::record_outcome(
            s,
            &worker,
            &access,
            a.version,
            &OutcomeInput {
                status: "svolto".into(),
                reason: String::new(),
                confidentiality: "normale".into(),
                title: "Colloquio di verifica".into(),
                body: "Rivisti gli impegni del progetto: rispettati.".into(),
            },
        )
        .await
        .map_err(app_err)?
        .map_err(fields)?;
        made.appointments_held += 1;
        // The interview held went into the diary.
        made.diary_entries += 1;
        // The next interview, in the coming days.
        let next_on = weekday(today, 1 + k as i64);
        let next = interview(
            from_local(next_on, Time::from_hms(11, 0, 0)?),
            "Colloquio di aggiornamento",
        );
        app::agenda::book_appointment(
            s,
            &worker,
            p,
            (worker_id, &worker_name),
            Some(case_id),
            next,
        )
        .await
        .map_err(app_err)?;
        made.appointments_booked += 1;
        if let Some(code) = form {
            let def = current(code);
            let input = match code {
                FormCode::Sina => answers(&[
                    ("mobility", &["2"]),
                    ("daily_living", &["2"]),
                    ("cognitive_disorders", &["1"]),
                    ("behavioural_disorders", &["1"]),
                    ("health_care_needs", &["3"]),
                    ("income", &["2"]),
                    ("support_network", &["2"]),
                    ("assessment_source", &["1"]),
                    ("assessment_instrument", &["1"]),
                ]),
                FormCode::Sinba => answers(&[
                    ("unaccompanied_foreign_minor", &["2"]),
                    ("orphan_status", &["1"]),
                    ("living_place", &["3"]),
                    ("household_members", &["1", "3"]),
                    ("school", &["5"]),
                    ("work_status", &["1"]),
                    ("disability", &["1"]),
                    ("disability_type", &["3"]),
                    ("invalidity_certification", &["5"]),
                    ("father_education", &["3"]),
                    ("father_occupation", &["1"]),
                    ("mother_education", &["5"]),
                    ("mother_occupation", &["4"]),
                    ("first_referral_date", &[&format_date(opened_on)]),
                    ("referral_source", &["13"]),
                    ("child_assessment", &["4"]),
                    ("family_assessment", &["2"]),
                    ("collaborations", &["2"]),
                    ("court_referral", &["2"]),
                    ("court_order", &["2"]),
                ]),
            };
            let parsed = parse_answers(def, &input).map_err(fields)?;
            app::casefile::add_assessment(
                s,
                &worker,
                &case,
                def,
                opened_on + Duration::days(7),
                &parsed,
            )
            .await
            .map_err(app_err)?;
            made.assessments += 1;
        }
        let plan = parse_plan(
            &PlanInput {
                starts_on: format_date(opened_on + Duration::days(14)),
                ends_on: format_date(opened_on + Duration::days(14 + 365)),
                goals: goals.into(),
                commitments: "La persona partecipa ai colloqui e avvisa se non può venire.".into(),
                next_review: format_date(weekday(today, 30 + k as i64)),
            },
            opened_on,
        )
        .map_err(fields)?;
        let plan = app::casefile::create_plan(s, &worker, &case, plan)
            .await
            .map_err(app_err)?;
        made.plans += 1;
        // The plan's service, named as the catalogue (or SIUSS) knows it: the assessment's
        // SIUSS record carries its code.
        let service = match form {
            Some(FormCode::Sina) => Some(("Assistenza domiciliare tre mattine a settimana", "sad")),
            Some(FormCode::Sinba) => Some(("Educativa domiciliare per il minore", "A2.02")),
            None => None,
        };
        if let Some((description, benefit)) = service {
            let data = parse_intervention(
                &InterventionInput {
                    description: description.into(),
                    benefit: benefit.into(),
                    responsible: worker_name.clone(),
                    frequency: "settimanale".into(),
                    from: format_date(plan.starts_on),
                    to: String::new(),
                },
                plan.starts_on,
                plan.ends_on,
            )
            .map_err(fields)?;
            let audit = worker.audit(
                "plan.intervention",
                "care_plan",
                Some(plan.id),
                format!(
                    "Intervento «{description}» nel PAI della cartella n. {}",
                    case.case.number
                ),
            );
            s.store
                .add_intervention(
                    &store::Intervention {
                        id: uuid::Uuid::now_v7(),
                        org_id: org.id,
                        plan_id: plan.id,
                        data,
                        actor: worker.label().to_owned(),
                        at_us: domain::audit::unix_micros(now),
                    },
                    &audit,
                )
                .await?;
        }
    }
    Ok(made)
}

fn interview(starts_at: OffsetDateTime, purpose: &str) -> AppointmentData {
    AppointmentData {
        starts_at,
        ends_at: starts_at + Duration::minutes(45),
        minutes: 45,
        place: "Ufficio servizi sociali, stanza 2".into(),
        purpose: purpose.into(),
        email: None,
    }
}

#[cfg(test)]
mod tests {
    use super::SAMPLE_HOUSEHOLD;

    #[test]
    fn the_sample_attestation_belongs_to_a_household_of_the_demo_and_of_the_sample_csv() {
        let xml = include_str!("../../../docs/examples/attestazione-inps.xml");
        let csv = include_str!("../../../docs/examples/anagrafe-A794.csv");
        domain::inps_xml::parse_attestation_xml(xml, time::macros::date!(2026 - 02 - 01))
            .expect("the sample XML imports");
        let members: Vec<String> = xml
            .lines()
            .filter(|l| l.contains("<ComponenteNucleo "))
            .map(str::to_owned)
            .collect();
        assert_eq!(members.len(), SAMPLE_HOUSEHOLD.len());
        assert!(xml.contains(&format!(
            "CodiceFiscaleDichiarante=\"{}\"",
            SAMPLE_HOUSEHOLD[0].0
        )));
        for (cf, surname, given_names, sex, born) in SAMPLE_HOUSEHOLD {
            let in_xml = format!(
                "Cognome=\"{}\" Nome=\"{}\" CodiceFiscale=\"{cf}\"",
                surname.to_uppercase(),
                given_names.to_uppercase()
            );
            assert!(members.iter().any(|m| m.contains(&in_xml)), "{in_xml}");
            let iso = {
                let p: Vec<&str> = born.split('/').collect();
                format!("{}-{}-{}", p[2], p[1], p[0])
            };
            let in_csv = format!(";{cf};{surname};{given_names};{sex};{iso};");
            assert!(csv.contains(&in_csv), "{in_csv}");
        }
    }
}
