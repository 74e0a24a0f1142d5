//! A DSU given as the ISEE engine's JSON (the API): its quadro A matched to the anagrafe
//! sociale by codice fiscale, its quadri kept as the counter would have typed them.

use super::form::{self, FieldProblem, QUADRI, Quadro, Scope};
use super::members::rebuild_views;
use super::{
    Draft, DsuEditAccess, DsuOpenAccess, General, evaluate, headline, member_key, must_be_draft,
    next_version, open_record, parse_general,
};
use crate::{Actor, Error, Services};
use domain::dsu::{DsuRelation, MemberBasis};
use domain::localtime::today;
use domain::policy::Action;
use isee::dsu::input::{DsuInput, Variante};
use serde_json::{Value, json};
use store::{DsuMember, DsuRecord, DsuStore, HouseholdStore, Person, PersonStore};
use uuid::Uuid;

/// A problem of a DSU sent as the engine's JSON, at its JSON path.
fn at(path: impl Into<String>, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        name: path.into(),
        message: message.into(),
    }
}

/// The quadri of the engine's JSON as the counter keeps them, by quadro key.
fn typed_quadri(json: &Value, members: &[(Uuid, String)]) -> Draft {
    let mut draft = Draft::default();
    let mut put = |key: String, q: &Quadro, v: Option<&Value>| {
        if let Some(v) = v {
            let t = form::from_json(q, v);
            if !t.is_empty() {
                draft.0.insert(key, t);
            }
        }
    };
    for q in QUADRI {
        match (q.id, q.scope) {
            ("b", _) => put("b".into(), q, json.pointer("/mb1/quadro_b")),
            ("c", _) => put("c".into(), q, json.pointer("/mb2/quadro_c")),
            ("d", _) => put("d".into(), q, json.pointer("/mb2/quadro_d")),
            ("ridotto", _) => put("ridotto".into(), q, json.get("mb1_ridotto")),
            ("mb3_figli" | "mb3_donazioni", _) => put(q.id.into(), q, json.get("mb3")),
            ("fc9", _) => {
                let persone = json.get("fc4").map(|v| json!({ "persone": v }));
                put("fc9".into(), q, persone.as_ref());
            }
            (id, Scope::Member) => {
                for (person_id, cf) in members {
                    let of_cf = |list: &str| {
                        json.get(list).and_then(Value::as_array).and_then(|items| {
                            items.iter().find(|m| {
                                m.get("codice_fiscale").and_then(Value::as_str) == Some(cf)
                            })
                        })
                    };
                    let v = match id {
                        "fc7" => of_cf("fc2").and_then(|m| m.get("quadro_fc7")),
                        "fc8" => of_cf("fc3").and_then(|m| m.get("quadro_fc8")),
                        _ => of_cf("fc1").and_then(|m| m.get(format!("quadro_{id}").as_str())),
                    };
                    put(member_key(q, *person_id), q, v);
                }
            }
            _ => {}
        }
    }
    draft
}

/// A DSU given as the engine's JSON (the API), its quadro A matched to the registry by
/// codice fiscale: the nucleo, the typed quadri and the general data, or the problems by
/// JSON path.
async fn from_input(
    svc: &Services,
    actor: &Actor,
    input: &DsuInput,
) -> Result<Result<(Person, General, Vec<DsuMember>, Draft), Vec<FieldProblem>>, Error> {
    let mut problems = Vec::new();
    if input.modulo_sostitutivo.is_some() || input.variante == Variante::Corrente {
        problems.push(at(
            "modulo_sostitutivo",
            "l'ISEE corrente si calcola da una DSU già attestata, non da una DSU nuova",
        ));
    }
    let json = serde_json::to_value(input).map_err(|e| Error::Internal(e.to_string()))?;
    let general = General {
        dsu_date: json
            .get("data_presentazione")
            .and_then(Value::as_str)
            .and_then(|s| {
                time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
            })
            .map(domain::dates::format_date)
            .unwrap_or_default(),
        variant: json
            .get("variante")
            .and_then(Value::as_str)
            .unwrap_or("")
            .into(),
        prestazione: json
            .get("prestazione")
            .and_then(Value::as_str)
            .unwrap_or("")
            .into(),
    };
    let dsu_date = match parse_general(&general, today(actor.now)) {
        Ok((d, _, _)) => Some(d),
        Err(p) => {
            problems.extend(p.into_iter().map(|p| {
                let name = match p.name.as_str() {
                    "dsu_date" => "data_presentazione",
                    "variant" => "variante",
                    _ => "prestazione",
                };
                at(name, p.message)
            }));
            None
        }
    };
    let mut persons = Vec::new();
    for (n, c) in input.mb1.quadro_a.componenti.iter().enumerate() {
        let path = format!("mb1.quadro_a.componenti[{n}].codice_fiscale");
        match svc
            .store
            .find_person_by_cf(actor.org.id, c.codice_fiscale.as_str())
            .await
        {
            Ok(p) => persons.push(p),
            Err(store::StoreError::NotFound) => problems.push(at(
                path,
                format!(
                    "{}: nessuna persona dell'anagrafe sociale con questo codice fiscale",
                    c.codice_fiscale.as_str()
                ),
            )),
            Err(e) => return Err(e.into()),
        }
    }
    let (Some(dsu_date), Some(declarant), true) =
        (dsu_date, persons.first().cloned(), problems.is_empty())
    else {
        return Ok(Err(problems));
    };
    actor.authorize(Action::PersonView, actor.scope_of(declarant.org_id))?;
    let family: Vec<Uuid> = svc
        .store
        .cohabitants(actor.org.id, declarant.id, dsu_date)
        .await?
        .into_iter()
        .map(|c| c.member.person_id)
        .collect();
    let mut members = Vec::new();
    for (n, p) in persons.iter().enumerate() {
        let cf = p
            .data
            .codice_fiscale
            .as_ref()
            .map(|c| c.as_str().to_owned());
        let fc1 = input
            .fc1
            .iter()
            .find(|m| Some(m.codice_fiscale.as_str()) == cf.as_deref());
        let relation = fc1
            .and_then(|m| serde_json::to_value(m.quadro_fc1.relazione).ok())
            .and_then(|v| v.as_str().and_then(DsuRelation::parse))
            .unwrap_or(if n == 0 {
                DsuRelation::D
            } else {
                DsuRelation::P
            });
        let convivenza = fc1.is_some_and(|m| m.quadro_fc1.convivenza_anagrafica);
        let basis = if n == 0 || family.contains(&p.id) {
            MemberBasis::Anagrafica
        } else {
            match relation {
                DsuRelation::C => MemberBasis::ConiugeResidenzaDiversa,
                DsuRelation::FNC => MemberBasis::FiglioACarico,
                DsuRelation::GNC => MemberBasis::GenitoreNonConvivente,
                _ if convivenza => MemberBasis::ConvivenzaAnagrafica,
                _ => {
                    problems.push(at(
                        format!("mb1.quadro_a.componenti[{n}]"),
                        format!(
                            "{} non è nella famiglia anagrafica del dichiarante alla data della DSU: indica nel quadro FC1 il rapporto che lo porta nel nucleo (C, FNC, GNC) o la convivenza anagrafica",
                            p.data.full_name()
                        ),
                    ));
                    continue;
                }
            }
        };
        members.push(DsuMember {
            id: Uuid::now_v7(),
            dsu_id: Uuid::nil(),
            person_id: p.id,
            position: n as i64,
            relation,
            basis,
            convivenza,
        });
    }
    // Members of the famiglia anagrafica the DSU leaves out are recorded as left out.
    for id in family {
        if !members.iter().any(|m| m.person_id == id) {
            members.push(DsuMember {
                id: Uuid::now_v7(),
                dsu_id: Uuid::nil(),
                person_id: id,
                position: members.len() as i64,
                relation: DsuRelation::P,
                basis: MemberBasis::EsclusoAltroNucleo,
                convivenza: false,
            });
        }
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let keyed: Vec<(Uuid, String)> = persons
        .iter()
        .filter_map(|p| Some((p.id, p.data.codice_fiscale.as_ref()?.as_str().to_owned())))
        .collect();
    Ok(Ok((
        declarant,
        general,
        members,
        typed_quadri(&json, &keyed),
    )))
}

/// Opens a DSU from the engine's JSON (the API's `POST /dsu`).
pub async fn import(
    svc: &Services,
    actor: &Actor,
    _open: &DsuOpenAccess,
    input: &DsuInput,
) -> Result<Result<DsuRecord, Vec<FieldProblem>>, Error> {
    let (declarant, general, mut members, draft) = match from_input(svc, actor, input).await? {
        Ok(x) => x,
        Err(p) => return Ok(Err(p)),
    };
    let rec = match open_record(actor, &declarant, &general)? {
        Ok(r) => r,
        Err(p) => return Ok(Err(p)),
    };
    for m in &mut members {
        m.dsu_id = rec.id;
    }
    let mut rec = rec;
    rec.status.inps_protocol = input.protocollo.clone();
    rec.quadri = draft.to_json();
    let views = rebuild_views(svc, actor, &[], &members).await?;
    let ev = evaluate(&rec, &views, &draft);
    headline(&mut rec, &ev);
    let audit = actor.audit(
        "dsu.create",
        "dsu",
        Some(rec.id),
        format!("DSU di {} ricevuta dall'API", declarant.data.full_name()),
    );
    svc.store.create_dsu(&rec, &members, &audit).await?;
    Ok(Ok(rec))
}

/// Replaces a draft's nucleo and quadri with the engine's JSON (the API's `PUT /dsu/{id}`).
pub async fn replace(
    svc: &Services,
    actor: &Actor,
    access: &DsuEditAccess,
    input: &DsuInput,
) -> Result<Result<DsuRecord, Vec<FieldProblem>>, Error> {
    let rec = &access.dsu;
    must_be_draft(rec)?;
    let (declarant, general, mut members, draft) = match from_input(svc, actor, input).await? {
        Ok(x) => x,
        Err(p) => return Ok(Err(p)),
    };
    if declarant.id != rec.declarant_id {
        return Ok(Err(vec![at(
            "mb1.quadro_a.componenti[0].codice_fiscale",
            "il dichiarante di una DSU non cambia: apri una nuova DSU",
        )]));
    }
    let (dsu_date, variant, prestazione) = parse_general(&general, today(actor.now))
        .map_err(|_| Error::BadRequest("dati generali non validi".into()))?;
    for m in &mut members {
        m.dsu_id = rec.id;
    }
    let mut changed = rec.clone();
    changed.status.dsu_date = dsu_date;
    changed.variant = variant;
    changed.prestazione = prestazione;
    let views = rebuild_views(svc, actor, &[], &members).await?;
    let ev = evaluate(&changed, &views, &draft);
    let next = next_version(actor, &changed, &draft, &ev);
    let audit = actor.audit(
        "dsu.update",
        "dsu",
        Some(rec.id),
        "DSU sostituita dall'API".into(),
    );
    svc.store.set_dsu_members(&next, &members, &audit).await?;
    Ok(Ok(next))
}
