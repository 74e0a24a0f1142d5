//! The route-level authorization sweep (issue 20, item 6): every route and method of the
//! router has a row in [`table`] saying what it needs, and the sources are read to check
//! that the table lists them all (as the API's own table is checked against its OpenAPI
//! document). Each row is requested anonymously, by every role of organization A and by the
//! installation's administrator, and with organization B's record in its path, on both
//! databases.
//!
//! What a refusal looks like, row by row:
//! - anonymous: the pages redirect to /login (303), the API answers 401;
//! - a role of the organization without the permission: 403;
//! - another organization's record: 404, as a record that does not exist (every lookup is
//!   scoped by the organization acting); except organizations and user accounts, which the
//!   administration names openly: 403 to whoever may not manage other organizations;
//! - the installation's administrator acts inside the `sistema` organization, so organization
//!   A's records are another organization's to them: 404 (403 where the check comes first).
//!
//! The guards run before any form or upload is read (the extractors of forms accept an empty
//! body, uploads take the multipart as a `Result`), so the refusals need no valid body; the
//! rows give one where the right role's request should succeed.

use crate::istanze_fixtures::{attest_with, benefit_in, file_for};
use crate::support::{self, ADMIN_PASSWORD, Client, Response, staff};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::Role;
use domain::dates::format_date;
use domain::localtime::today;
use domain::policy::{Action, Actor, RecordScope, decide};
use std::collections::{BTreeSet, HashMap};
use std::time::Instant;
use store::{
    BenefitStore, BillStore, CaseStore, HouseholdStore, MandateStore, OrgStore, PaymentStore,
    PersonStore, RegistryStore, SiussStore, UserStore,
};
use uuid::Uuid;
use web::AppState;

on_both!(every_route_answers_each_role_as_the_policy_says);

/// Who sends the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    /// The installation's administrator, acting in the `sistema` organization.
    Sistema,
    /// A user of organization A with this role.
    Staff(Role),
}

/// The scope in which the row's record stands for the one asking.
#[derive(Debug, Clone, Copy)]
enum On {
    /// No record yet (lists, forms for a new one): this scope.
    Scope(RecordScope),
    /// A record of organization A: the same organization to its staff, another one to the
    /// installation's administrator.
    Record,
    /// Organization A's case file, whose assigned worker is the social worker.
    Case,
}

/// What a route needs.
#[derive(Debug, Clone, Copy)]
enum Need {
    /// Nothing: anyone, logged in or not.
    Public,
    /// A session, whatever the role (the login steps, one's own account).
    Session,
    /// Every one of these permissions.
    All(&'static [(Action, On)]),
    /// At least one of them.
    Any(&'static [(Action, On)]),
    /// A bearer token no session stands for (a PDND voucher for the WaaS API for INPS, the
    /// metrics' token from the configuration): 401 to everyone.
    Pdnd,
}

/// What the right role's request must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// 2xx, or a redirect that is not to the login.
    Success,
    /// The first allowed role's request succeeds; it changes the record so that the next
    /// ones are refused by the procedure (409, 422, a flash), never by the guard.
    Once,
    /// Past the guard: anything but 401, 403, 404, 405 or a server error. For forms whose
    /// valid content the sweep does not build (the procedure's own tests do).
    PastGuard,
}

#[derive(Debug, Clone, Copy)]
enum Payload {
    /// Nothing, or the query string only.
    Empty,
    /// A URL-encoded form; a value `@name` is the fixture `name` (see [`World::value`]).
    Form(&'static [(&'static str, &'static str)]),
    /// A multipart form with a one-page PDF.
    Pdf(&'static [(&'static str, &'static str)]),
    /// The registry's CSV, as the import form sends it.
    RegistryCsv,
    /// The sample logo (`docs/examples/logo-comune.png`), as the letterhead page sends it.
    Logo,
    /// A JSON object (the API).
    Json(&'static str),
}

#[derive(Debug, Clone, Copy)]
struct Row {
    method: &'static str,
    /// The route as the router declares it.
    route: &'static str,
    /// The fixtures that fill its `{…}` segments, in order.
    fill: &'static [&'static str],
    /// Appended to the path; `@name` values are fixtures.
    query: &'static str,
    need: Need,
    send: Payload,
    expect: Expect,
    /// What organization B's record answers, when not [`other_org_status`]'s rule.
    other_org: Option<StatusCode>,
    /// The record is looked up (within the organization acting) before a check that does
    /// not depend on it.
    found_first: bool,
}

const fn row(method: &'static str, route: &'static str, fill: &'static [&'static str]) -> Row {
    Row {
        method,
        route,
        fill,
        query: "",
        need: Need::Session,
        send: Payload::Empty,
        expect: Expect::Success,
        other_org: None,
        found_first: false,
    }
}

impl Row {
    const fn needs(mut self, need: Need) -> Self {
        self.need = need;
        self
    }
    const fn all(self, needs: &'static [(Action, On)]) -> Self {
        self.needs(Need::All(needs))
    }
    const fn query(mut self, q: &'static str) -> Self {
        self.query = q;
        self
    }
    const fn send(mut self, send: Payload) -> Self {
        self.send = send;
        self
    }
    const fn expect(mut self, e: Expect) -> Self {
        self.expect = e;
        self
    }
    const fn found_first(mut self) -> Self {
        self.found_first = true;
        self
    }
    const fn other_org(mut self, s: StatusCode) -> Self {
        self.other_org = Some(s);
        self
    }
    fn api(&self) -> bool {
        self.route.starts_with("/api/")
    }
}

const fn get(route: &'static str, fill: &'static [&'static str]) -> Row {
    row("GET", route, fill)
}

const fn post(route: &'static str, fill: &'static [&'static str]) -> Row {
    row("POST", route, fill)
}

const fn put(route: &'static str, fill: &'static [&'static str]) -> Row {
    row("PUT", route, fill)
}

use Action::*;
use On::{Case, Record};
use RecordScope::{OtherOrg, Own, SameOrg};

const ORG_VIEW: &[(Action, On)] = &[(OrgView, On::Scope(SameOrg))];
const PERSON_VIEW: &[(Action, On)] = &[(PersonView, Record)];
const PERSON_EDIT: &[(Action, On)] = &[(PersonEdit, Record)];
const CASE_READ: &[(Action, On)] = &[(CaseFileRead, Case)];
const CASE_WRITE: &[(Action, On)] = &[(CaseFileWrite, Case)];
const APP_VIEW: &[(Action, On)] = &[(ApplicationView, Record)];
const APP_VIEW_OWN: &[(Action, On)] = &[(ApplicationView, On::Scope(Own))];
const APP_FILE: &[(Action, On)] = &[(ApplicationFile, Record)];
const APP_REVIEW: &[(Action, On)] = &[(ApplicationReview, Record)];
const CATALOGUE: &[(Action, On)] = &[(CatalogueManage, On::Scope(SameOrg))];
const USER_MANAGE: &[(Action, On)] = &[(UserManage, Record)];
const LETTERHEAD: &[(Action, On)] = &[(LetterheadEdit, On::Scope(SameOrg))];
const PORTAL_SETTINGS: &[(Action, On)] = &[(PortalSettingsEdit, On::Scope(SameOrg))];
const SIUSS: &[(Action, On)] = &[(SiussManage, On::Scope(SameOrg))];
const CALL_LIST: &[(Action, On)] = &[(ApplicationView, On::Scope(SameOrg))];
const CALL_NEW: &[(Action, On)] = &[(CallManage, On::Scope(SameOrg))];
const CALL_VIEW: &[(Action, On)] = &[(ApplicationView, Record)];
const CALL_FILE: &[(Action, On)] = &[(ApplicationView, Record), (ApplicationFile, Record)];
const CALL_MANAGE: &[(Action, On)] = &[(ApplicationView, Record), (CallManage, Record)];
const FUNDS: &[(Action, On)] = &[(FundManage, On::Scope(SameOrg))];
const PAYMENTS: &[(Action, On)] = &[(PaymentManage, On::Scope(SameOrg))];
const PAYMENT_RECORD: &[(Action, On)] = &[(PaymentManage, Record)];
// Forms that name organization A's fund or benefit: not found from `sistema`.
const FUND_RECORD: &[(Action, On)] = &[(FundManage, Record)];
const REPORT: &[(Action, On)] = &[(ReportView, On::Scope(SameOrg))];
const BILLS: &[(Action, On)] = &[(BillManage, On::Scope(SameOrg))];
const BILL_RECORD: &[(Action, On)] = &[(BillManage, Record)];
const DSU_LIST: &[(Action, On)] = &[(DsuView, On::Scope(SameOrg))];
const DSU_NEW: &[(Action, On)] = &[(DsuEdit, On::Scope(SameOrg)), (PersonView, Record)];
const DSU_VIEW: &[(Action, On)] = &[(DsuView, Record)];
const DSU_EDIT: &[(Action, On)] = &[(DsuView, Record), (DsuEdit, Record)];

/// Every route and method of the router. The order matters only for the rows that change
/// their record: each has records of its own or comes after the rows that read them.
fn table() -> Vec<Row> {
    vec![
        // Probes and files: public.
        get("/health", &[]).needs(Need::Public),
        get("/ready", &[]).needs(Need::Public),
        get("/static/{version}/{*path}", &["asset_version", "asset"]).needs(Need::Public),
        get("/login", &[]).needs(Need::Public),
        get("/api/v1/openapi.json", &[]).needs(Need::Public),
        // The home page: anyone who may see the organization, its log or their applications.
        get("/", &[]).needs(Need::Any(&[
            (OrgView, On::Scope(SameOrg)),
            (AuditView, On::Scope(SameOrg)),
            (ApplicationView, On::Scope(Own)),
        ])),
        // One's own account.
        get("/account", &[]),
        // A form kept when the session expired, and "Resta collegato".
        get("/modulo-conservato", &[]),
        post("/sessione/rinnova", &[]),
        post("/account/token", &[]).send(Payload::Form(&[("nome", "sweep")])),
        // Administration.
        get("/admin", &[]).needs(Need::Public),
        get("/admin/enti", &[]).all(&[
            (OrgView, On::Scope(SameOrg)),
            (UserView, On::Scope(SameOrg)),
        ]),
        get("/admin/enti/nuovo", &[]).all(&[(OrgManage, On::Scope(OtherOrg))]),
        post("/admin/enti/nuovo", &[])
            .all(&[(OrgManage, On::Scope(OtherOrg))])
            .send(Payload::Form(&[
                ("codice", "sweep-nuovo"),
                ("nome", "Comune nuovo"),
                ("tipo", "comune"),
                ("comuni", "016025"),
            ])),
        get("/admin/enti/{id}", &["org"]).all(&[(OrgView, Record)]),
        post("/admin/enti/{id}", &["org"])
            .all(&[(OrgManage, Record)])
            .send(Payload::Form(&[
                ("codice", "@org_code"),
                ("nome", "@org_name"),
                ("tipo", "comune"),
                ("comuni", "@istat"),
                ("attivo", "1"),
            ])),
        get("/admin/carta-intestata", &[]).all(LETTERHEAD),
        get("/fondi", &[]).all(FUNDS),
        post("/fondi", &[])
            .all(FUNDS)
            .send(Payload::Form(&[
                ("name", "Fondo povertà"),
                ("kind", "nazionale"),
                ("debtor_iban", "IT60X0542811101000000123456"),
            ]))
            .expect(Expect::Once),
        post("/fondi/stanziamenti", &[])
            .all(FUND_RECORD)
            .send(Payload::Form(&[
                ("fund", "@fund"),
                ("year", "2026"),
                ("comune", ""),
                ("amount", "1.000,00"),
            ])),
        post("/fondi/prestazioni", &[])
            .all(FUND_RECORD)
            .send(Payload::Form(&[("benefit", "@benefit"), ("fund", "@fund")])),
        get("/pagamenti", &[]).all(PAYMENTS),
        post("/pagamenti/distinte", &[])
            .all(PAYMENT_RECORD)
            .send(Payload::Form(&[("fund", "@fund"), ("mese", "2026-01")])),
        get("/pagamenti/distinte/{id}", &["payment_list"]).all(PAYMENT_RECORD),
        get("/pagamenti/distinte/{id}/csv", &["payment_list"]).all(PAYMENT_RECORD),
        post("/pagamenti/distinte/{id}/approva", &["payment_list"])
            .all(PAYMENT_RECORD)
            .send(Payload::Form(&[("version", "1")]))
            .expect(Expect::Once),
        get("/pagamenti/sepa", &[]).query("?mese=2026-01").all(PAYMENTS),
        post("/pagamenti/esiti", &[])
            .all(PAYMENTS)
            .send(Payload::Pdf(&[("mese", "2026-01")])),
        get("/pagamenti/iban/{person}", &["person"]).all(PAYMENT_RECORD),
        post("/pagamenti/iban/{person}", &["person"])
            .all(PAYMENT_RECORD)
            .send(Payload::Form(&[
                ("iban", "IT60X0542811101000000123456"),
                ("holder", "Mario Rossi"),
                ("version", "0"),
            ]))
            .expect(Expect::Once),
        get("/rette", &[]).all(BILLS),
        post("/rette/emetti", &[])
            .all(BILLS)
            .send(Payload::Form(&[("mese", "2026-01")])),
        get("/rette/impostazioni", &[]).all(BILLS),
        post("/rette/impostazioni", &[])
            .all(BILLS)
            .send(Payload::Form(&[
                ("fiscal_code", "80034840167"),
                ("segregation_code", "02"),
                ("iban", "IT60X0542811101000000123456"),
                ("category", "9/0101108TS/"),
                ("due_days", "60"),
                ("version", "1"),
            ]))
            .expect(Expect::Once),
        get("/rette/morosita", &[]).all(BILLS),
        post("/rette/pagamenti", &[])
            .all(BILLS)
            .send(Payload::Pdf(&[("mese", "2026-01")])),
        get("/rette/gpd", &[]).query("?mese=2026-01").all(BILLS),
        get("/rette/csv", &[]).query("?mese=2026-01").all(BILLS),
        get("/rette/{id}", &["bill"]).all(BILL_RECORD),
        get("/rette/{id}/avviso.pdf", &["bill"]).all(BILL_RECORD),
        get("/rette/{id}/sollecito.pdf", &["bill"]).all(BILL_RECORD),
        post("/rette/{id}/annulla", &["bill"])
            .all(BILL_RECORD)
            .send(Payload::Form(&[("version", "1")]))
            .expect(Expect::Once),
        post("/rette/{id}/sollecito", &["bill"])
            .all(BILL_RECORD)
            .send(Payload::Form(&[("version", "1")]))
            .expect(Expect::PastGuard),
        get("/statistiche", &[]).all(REPORT),
        post("/statistiche/aggiorna", &[]).all(REPORT),
        get("/statistiche/export", &[])
            .query("?tabella=mesi&formato=csv")
            .all(REPORT),
        get("/siuss", &[]).all(SIUSS),
        get("/siuss/file", &[]).query("?periodo=2026-01&n=1").all(SIUSS),
        post("/siuss/impostazioni", &[])
            .all(SIUSS)
            .send(Payload::Form(&[
                ("ente_code", "A794"),
                ("seat", "A794"),
                ("operator_cf", "80034840167"),
                // Saved once already by the fixtures (`rejected_siuss_flow`).
                ("version", "1"),
            ]))
            .expect(Expect::Once),
        // Calls and rankings: the fixture's call has a provisional ranking of no applications.
        get("/bandi", &[]).all(CALL_LIST),
        get("/bandi/nuovo", &[]).all(CALL_NEW),
        post("/bandi", &[])
            .all(CALL_NEW)
            .send(Payload::Form(&[("title", "")]))
            .expect(Expect::PastGuard),
        get("/bandi/{id}", &["call"]).all(CALL_VIEW),
        get("/bandi/{id}/domande", &["call"]).all(CALL_VIEW),
        post("/bandi/{id}/domande", &["call"])
            .all(CALL_FILE)
            .send(Payload::Form(&[("codice_fiscale", "")]))
            .expect(Expect::PastGuard),
        post("/bandi/{id}/regole", &["call"])
            .all(CALL_MANAGE)
            .send(Payload::Form(&[("isee_article", "")]))
            .expect(Expect::PastGuard),
        post("/bandi/{id}/fondi", &["call"])
            .all(CALL_MANAGE)
            .send(Payload::Form(&[("amount", "")]))
            .expect(Expect::PastGuard),
        get("/bandi/{id}/graduatoria", &["call"]).all(CALL_MANAGE),
        post("/bandi/{id}/graduatoria", &["call"])
            .all(CALL_MANAGE)
            .send(Payload::Form(&[("appeals_until", "")]))
            .expect(Expect::PastGuard),
        post("/bandi/{id}/definitiva", &["call"])
            .all(CALL_MANAGE)
            .expect(Expect::PastGuard),
        post("/bandi/{id}/finanzia", &["call"])
            .all(CALL_MANAGE)
            .expect(Expect::PastGuard),
        get("/bandi/{id}/graduatoria.pdf", &["call"]).all(CALL_MANAGE),
        get("/bandi/{id}/graduatoria.csv", &["call"]).all(CALL_MANAGE),
        post("/admin/carta-intestata", &[])
            .all(LETTERHEAD)
            .send(Payload::Form(&[
                ("office", "Settore Servizi sociali"),
                ("version", "0"),
            ]))
            .expect(Expect::PastGuard),
        // Each allowed role puts a logo on its organization's letterhead, then reads it.
        post("/admin/carta-intestata/logo", &[])
            .all(LETTERHEAD)
            .send(Payload::Logo),
        get("/admin/carta-intestata/logo", &[]).all(LETTERHEAD),
        post("/admin/carta-intestata/logo/rimuovi", &[])
            .all(LETTERHEAD)
            .expect(Expect::Once),
        get("/admin/portale", &[]).all(PORTAL_SETTINGS),
        post("/admin/portale", &[])
            .all(PORTAL_SETTINGS)
            .send(Payload::Form(&[
                ("operator_naming", "ruolo"),
                ("version", "0"),
            ]))
            .expect(Expect::PastGuard),
        get("/admin/utenti", &[]).all(&[(UserView, On::Scope(SameOrg))]),
        get("/admin/utenti/nuovo", &[]).all(&[(UserManage, On::Scope(SameOrg))]),
        post("/admin/utenti/nuovo", &[])
            .all(&[(UserManage, On::Scope(SameOrg))])
            .send(Payload::Form(&[
                ("login", "@who.nuovo"),
                ("nome", "Nuovo operatore"),
                ("ente", "@org"),
                ("ruolo", "operatore_sportello"),
            ])),
        get("/admin/utenti/{id}", &["user"]).all(&[(UserView, Record)]),
        post("/admin/utenti/{id}/stato", &["user"])
            .all(USER_MANAGE)
            .send(Payload::Form(&[("attivo", "1")])),
        post("/admin/utenti/{id}/password", &["user"]).all(USER_MANAGE),
        post("/admin/utenti/{id}/sessioni", &["user"]).all(&[(SessionManage, Record)]),
        post("/admin/utenti/{id}/sblocca", &["user"]).all(USER_MANAGE),
        post("/admin/utenti/{id}/ruolo", &["user"])
            .all(USER_MANAGE)
            .send(Payload::Form(&[("ente", "@org"), ("ruolo", "ragioneria")])),
        post("/admin/utenti/{id}/ruolo/rimuovi", &["user2"])
            .all(USER_MANAGE)
            .send(Payload::Form(&[("ente", "@org"), ("ruolo", "ragioneria")]))
            .expect(Expect::Once),
        post(
            "/admin/utenti/{id}/token/{token}/revoca",
            &["token_user", "user_token"],
        )
        .all(&[(TokenManage, Record)])
        .expect(Expect::Once),
        // The audit log.
        get("/audit", &[]).all(&[(AuditView, On::Scope(SameOrg))]),
        get("/audit/export.csv", &[]).all(&[(AuditExport, On::Scope(SameOrg))]),
        get("/audit/persona", &[])
            .all(&[(AuditView, On::Scope(SameOrg))])
            .query("?cf=@cf"),
        // The civil registry.
        get("/anagrafe/import", &[]).all(&[(RegistryImport, On::Scope(SameOrg))]),
        post("/anagrafe/import", &[])
            .all(&[(RegistryImport, On::Scope(SameOrg))])
            .send(Payload::RegistryCsv)
            .expect(Expect::Once),
        get("/anagrafe/import/{id}", &["import"]).all(&[(RegistryImport, Record)]),
        get("/anagrafe/eventi", &[]).all(&[(PersonView, On::Scope(SameOrg))]),
        // The permission is checked before the event is looked up; another organization's
        // event is not found by the scoped update, which the page reports in a flash.
        post("/anagrafe/eventi/{id}/verificato", &["event"])
            .all(&[(PersonEdit, On::Scope(SameOrg))])
            .expect(Expect::Once)
            .other_org(StatusCode::SEE_OTHER),
        // Persons, households, support network, mandates.
        get("/persone", &[]).all(&[(PersonView, On::Scope(SameOrg))]),
        get("/persone/nuova", &[]).all(&[(PersonEdit, On::Scope(SameOrg))]),
        get("/comuni", &[])
            .all(&[(PersonEdit, On::Scope(SameOrg))])
            .query("?q=berg"),
        post("/persone/nuova", &[])
            .all(&[(PersonEdit, On::Scope(SameOrg))])
            .send(Payload::Form(&[
                ("codice_fiscale", "BNCNNA82B45A794U"),
                ("surname", "Bianchi"),
                ("given_names", "Anna"),
                ("sex", "F"),
                ("birth_date", "05/02/1982"),
                ("birthplace", "Bergamo"),
                ("citizenship", "IT"),
                ("residence_istat", "@istat"),
            ]))
            .expect(Expect::Once),
        get("/persone/{id}", &["person"]).all(PERSON_VIEW),
        get("/persone/{id}/modifica", &["person"]).all(PERSON_EDIT),
        // Lucia left the comune's list in the second import: her open matters and the
        // requirements they no longer meet.
        get("/persone/{id}/esiti", &["person2"]).all(PERSON_VIEW),
        post("/persone/{id}/esiti", &["person2"]).all(PERSON_EDIT),
        post("/persone/{id}/modifica", &["person"])
            .all(PERSON_EDIT)
            .expect(Expect::PastGuard),
        post("/persone/{id}/documenti", &["person"])
            .all(PERSON_EDIT)
            .send(Payload::Form(&[
                ("kind", "cie"),
                ("number", "CA99999ZZ"),
                ("issued_by", "Comune"),
                ("issued_on", "01/01/2020"),
                ("expires_on", "01/01/2030"),
            ])),
        post(
            "/persone/{id}/documenti/{doc}/rimuovi",
            &["person", "person_doc"],
        )
        .all(PERSON_EDIT)
        .expect(Expect::Once),
        get("/persone/{id}/unisci/{other}", &["person", "person2"]).all(&[(PersonMerge, Record)]),
        // Without a reason nothing is merged: the fixtures stay.
        post("/persone/{id}/unisci/{other}", &["person", "person2"])
            .all(&[(PersonMerge, Record)])
            .expect(Expect::PastGuard),
        // Before a new household is made, which ends the membership.
        post(
            "/famiglie/{id}/componenti/{member}/termina",
            &["household", "member"],
        )
        .all(PERSON_EDIT)
        .expect(Expect::Once),
        post("/persone/{id}/famiglia", &["person"])
            .all(PERSON_EDIT)
            .send(Payload::Form(&[("from_date", "@today")])),
        post("/persone/{id}/rete", &["person"])
            .all(PERSON_EDIT)
            .send(Payload::Form(&[
                ("kind", "caregiver"),
                ("related_name", "Giulia Neri"),
            ])),
        post("/persone/{id}/rete/{link}/termina", &["person", "link"])
            .all(PERSON_EDIT)
            .expect(Expect::Once),
        get("/famiglie/{id}", &["household"]).all(PERSON_VIEW),
        // Lucia joins once; then she is already a member, which the form says beside the code.
        post("/famiglie/{id}/componenti", &["household"])
            .all(PERSON_EDIT)
            .expect(Expect::Once)
            .send(Payload::Form(&[
                ("codice_fiscale", "@lucia_cf"),
                ("relationship", "99"),
            ])),
        post("/persone/{id}/deleghe", &["person"])
            .all(PERSON_EDIT)
            .send(Payload::Form(&[
                ("utente", "@citizen"),
                ("tipo", "titolare"),
                ("note", "Richiesta firmata"),
            ])),
        post(
            "/persone/{id}/deleghe/{mandate}/revoca",
            &["person", "mandate"],
        )
        .all(PERSON_EDIT)
        .expect(Expect::Once),
        // Segretariato sociale.
        get("/segretariato", &[]).all(&[(AccessRecord, On::Scope(SameOrg))]),
        get("/persone/{id}/accesso", &["person"]).all(&[(AccessRecord, Record)]),
        post("/persone/{id}/accesso", &["person"])
            .all(&[(AccessRecord, Record)])
            .send(Payload::Form(&[
                ("channel", "di_persona"),
                ("needs", "economico"),
                ("request", "Chiede informazioni"),
                ("outcome", "informazioni"),
            ])),
        get("/segretariato/bisogni.csv", &[]).all(&[(AccessRecord, On::Scope(SameOrg))]),
        get("/accessi/{id}", &["access"]).all(&[(AccessRecord, Record)]),
        post("/accessi/{id}/seguito-fatto", &["access"])
            .all(&[(AccessRecord, Record)])
            .expect(Expect::Once),
        // Case files.
        get("/persone/{id}/cartella", &["person"])
            .all(&[(CaseFileWrite, On::Scope(RecordScope::Assigned))])
            .found_first(),
        // Rossi has a case file already: the form leads to it.
        post("/persone/{id}/cartella", &["person"])
            .all(&[(CaseFileWrite, On::Scope(RecordScope::Assigned))])
            .found_first(),
        get("/cartelle", &[]).all(&[(CaseFileRead, On::Scope(SameOrg))]),
        get("/cartelle/carico", &[]).all(&[(CaseFileWrite, On::Scope(SameOrg))]),
        post("/cartelle/carico", &[]).all(&[(CaseFileWrite, On::Scope(SameOrg))]),
        get("/cartelle/{id}", &["case"]).all(CASE_READ),
        // Without a state the change is refused in a flash: the file stays open.
        post("/cartelle/{id}/stato", &["case"]).all(CASE_WRITE),
        post("/cartelle/{id}/diario", &["case"])
            .all(CASE_WRITE)
            .send(Payload::Form(&[
                ("kind", "nota"),
                ("date", "@today"),
                ("confidentiality", "normale"),
                ("title", "Nota"),
                ("body", "Telefonata di aggiornamento."),
            ])),
        post("/cartelle/{id}/accesso-straordinario", &["case"])
            .all(&[(BreakGlass, Case)])
            .send(Payload::Form(&[("reason", "Segnalazione urgente")])),
        post("/cartelle/{id}/equipe", &["case"])
            .all(CASE_WRITE)
            .send(Payload::Form(&[
                ("user", "@colleague2"),
                ("reason", "Supporto"),
            ]))
            .expect(Expect::Once),
        post(
            "/cartelle/{id}/equipe/{user}/rimuovi",
            &["case", "colleague"],
        )
        .all(CASE_WRITE)
        .expect(Expect::Once),
        post("/cartelle/{id}/documenti", &["case"])
            .all(CASE_WRITE)
            .send(Payload::Pdf(&[
                ("description", "Relazione"),
                ("confidentiality", "normale"),
            ])),
        get("/cartelle/{id}/documenti/{doc}", &["case", "case_doc"]).all(CASE_READ),
        get("/cartelle/{id}/pai", &["case"]).all(CASE_READ),
        get("/pai/{id}", &["plan"]).all(CASE_READ),
        post("/pai/{id}/interventi", &["plan"])
            .all(CASE_WRITE)
            .send(Payload::Form(&[
                ("description", "Assistenza domiciliare"),
                ("benefit", "SAD"),
                ("responsible", "Cooperativa Aurora"),
                ("frequency", "2 ore a settimana"),
                ("from", "@today"),
            ])),
        post("/pai/{id}/verifiche", &["plan"])
            .all(CASE_WRITE)
            .send(Payload::Form(&[
                ("done_on", "@today"),
                ("outcome", "Obiettivi confermati"),
            ])),
        get("/pai/{id}/pdf", &["plan"]).all(CASE_READ),
        // A new plan takes the place of the current one: after the rows that use it.
        post("/cartelle/{id}/pai", &["case"])
            .all(CASE_WRITE)
            .send(Payload::Form(&[
                ("starts_on", "@today"),
                ("goals", "Sostegno al reddito"),
                ("next_review", "@tomorrow"),
            ]))
            .expect(Expect::Once),
        get("/cartelle/{id}/valutazioni", &["case"]).all(CASE_READ),
        get("/cartelle/{id}/valutazioni/nuova", &["case"])
            .all(CASE_WRITE)
            .query("?modulo=sina"),
        post("/cartelle/{id}/valutazioni/nuova", &["case"])
            .all(CASE_WRITE)
            .query("?modulo=sina")
            .expect(Expect::PastGuard),
        get("/valutazioni/{id}", &["assessment"]).all(CASE_READ),
        // Agenda.
        get("/agenda", &[]).all(&[(AppointmentManage, On::Scope(SameOrg))]),
        get("/agenda/nuovo", &[])
            .all(&[(AppointmentManage, On::Scope(SameOrg))])
            .query("?persona=@person"),
        // The worker's hour is taken by the first booking.
        post("/agenda/nuovo", &[])
            .all(&[(AppointmentManage, On::Scope(SameOrg))])
            .query("?persona=@person")
            .send(Payload::Form(&[
                ("worker", "@worker"),
                ("date", "@tomorrow"),
                ("time", "15:00"),
                ("place", "Sede"),
                ("purpose", "colloquio"),
            ]))
            .expect(Expect::Once),
        get("/appuntamenti/{id}", &["appointment"]).all(&[(AppointmentManage, Record)]),
        // Booked for tomorrow: no outcome yet (refused by the procedure, past the guard).
        post("/appuntamenti/{id}/esito", &["appointment"])
            .all(&[(AppointmentManage, Record)])
            .send(Payload::Form(&[
                ("status", "svolto"),
                ("confidentiality", "normale"),
                ("title", "Colloquio"),
                ("body", "Svolto regolarmente."),
                ("version", "1"),
            ]))
            .expect(Expect::PastGuard),
        post("/appuntamenti/{id}/sposta", &["appointment"])
            .all(&[(AppointmentManage, Record)])
            .send(Payload::Form(&[
                ("date", "@tomorrow"),
                ("time", "11:00"),
                ("place", "Sede, stanza 4"),
                ("version", "1"),
            ]))
            .expect(Expect::Once),
        // Cancelled by the first role allowed; the others find it cancelled.
        post("/appuntamenti/{id}/annulla", &["appointment"])
            .all(&[(AppointmentManage, Record)])
            .send(Payload::Form(&[("reason", "ferie"), ("version", "2")]))
            .expect(Expect::Once),
        // The catalogue of benefits.
        get("/prestazioni", &[]).all(APP_VIEW_OWN),
        post("/prestazioni/catalogo-base", &[]).all(CATALOGUE),
        get("/prestazioni/nuova", &[]).all(CATALOGUE),
        post("/prestazioni/nuova", &[])
            .all(CATALOGUE)
            .expect(Expect::PastGuard),
        get("/prestazioni/{id}", &["benefit"]).all(APP_VIEW_OWN),
        get("/prestazioni/{id}/modifica", &["benefit"]).all(CATALOGUE),
        post("/prestazioni/{id}/modifica", &["benefit"])
            .all(CATALOGUE)
            .expect(Expect::PastGuard),
        get("/prestazioni/{id}/regole/nuova", &["benefit"]).all(CATALOGUE),
        post("/prestazioni/{id}/regole/nuova", &["benefit"])
            .all(CATALOGUE)
            .expect(Expect::PastGuard),
        get("/prestazioni/{id}/simulatore", &["benefit"]).all(APP_VIEW_OWN),
        // ISEE attestations.
        get("/persone/{id}/isee", &["person"]).all(APP_FILE),
        // The protocol is recorded once.
        post("/persone/{id}/isee", &["person"])
            .all(APP_FILE)
            .send(Payload::Form(&[
                ("protocol", "@protocol"),
                ("submitted_on", "@today"),
                ("variant", "ordinario"),
                ("isee", "9.000,00"),
                ("ise", "18.000,00"),
                ("isr", "15.000,00"),
                ("isp", "15.000,00"),
                ("scala", "2,00"),
                ("members", "3"),
            ]))
            .expect(Expect::Once),
        post("/persone/{id}/isee/xml", &["person"])
            .all(APP_FILE)
            .expect(Expect::PastGuard),
        post("/isee/{id}/calcolo", &["attestation"])
            .all(APP_FILE)
            .expect(Expect::PastGuard),
        // Applications.
        get("/istanze", &[]).all(APP_VIEW_OWN),
        get("/istanze/export.csv", &[]).all(APP_VIEW_OWN),
        get("/istanze/export.xlsx", &[]).all(APP_VIEW_OWN),
        get("/istanze/nuova", &[]).all(&[(ApplicationFile, On::Scope(Own))]),
        // Lucia's, by the office; a CAF operator or a citizen is refused the person (see
        // [`without_mandate`]).
        post("/istanze/nuova", &[])
            .all(&[(ApplicationFile, On::Scope(Own))])
            .send(Payload::Form(&[
                ("persona", "@person2"),
                ("benefit", "@benefit"),
                ("attestation", "@attestation2"),
                ("channel", "sportello"),
                ("units", "20"),
                ("months", "9"),
                ("azione", "presenta"),
            ]))
            .expect(Expect::Once),
        get("/istanze/{id}", &["application"]).all(APP_VIEW),
        post("/istanze/{id}/stato", &["application"])
            .all(APP_VIEW)
            .expect(Expect::PastGuard),
        post("/istanze/{id}/dati", &["application"])
            .all(APP_REVIEW)
            .expect(Expect::PastGuard),
        post("/istanze/{id}/documenti", &["application"])
            .all(APP_FILE)
            .send(Payload::Pdf(&[("requirement", "")])),
        post("/istanze/{id}/messaggi", &["application"])
            .all(APP_REVIEW)
            .send(Payload::Form(&[("message", "Le scriviamo per la domanda.")])),
        get(
            "/istanze/{id}/documenti/{doc}",
            &["application", "application_doc"],
        )
        .all(APP_VIEW),
        get("/istanze/{id}/provvedimento.pdf", &["application"]).all(APP_VIEW),
        get("/istanze/{id}/preavviso.pdf", &["notice"]).all(APP_VIEW),
        get("/istanze/{id}/integrazione.pdf", &["notice"]).all(APP_VIEW),
        get("/istanze/registro", &[]).all(&[(ApplicationView, On::Scope(SameOrg))]),
        post(
            "/istanze/{id}/erogazioni/{month}",
            &["application", "month"],
        )
        .all(APP_REVIEW)
        .send(Payload::Form(&[
            ("quantity", "18"),
            ("amount", "0"),
            ("co_payment", "63,00"),
            ("version", "1"),
        ]))
        .expect(Expect::Once),
        // Without a month the suspension is refused in a flash.
        post("/istanze/{id}/sospensione", &["application"]).all(APP_REVIEW),
        // The WaaS API for INPS: its status is public (as INPS's description has it), the
        // rest only for a PDND voucher.
        get("/waas/{ente}/v1/status", &["org_code"]).needs(Need::Public),
        get("/waas/{ente}/v1/flussi", &["org_code"])
            .query("?since=0")
            .needs(Need::Pdnd),
        post("/waas/{ente}/v1/esiti", &["org_code"]).needs(Need::Pdnd),
        // The Prometheus metrics: only the configured token (or addresses) open them.
        get("/metrics", &[]).needs(Need::Pdnd),
        post("/siuss/flussi/{id}/reinvia", &["siuss_flow"])
            .all(SIUSS)
            .expect(Expect::Once),
        post(
            "/istanze/{id}/erogazioni/{month}/annulla",
            &["application", "month"],
        )
        .all(APP_REVIEW)
        .send(Payload::Form(&[("version", "2")]))
        .expect(Expect::PastGuard),
        // The JSON API.
        get("/api/v1/me", &[]).needs(Need::Any(&[
            (OrgView, On::Scope(SameOrg)),
            (AuditView, On::Scope(SameOrg)),
        ])),
        get("/api/v1/organizations", &[]).all(ORG_VIEW),
        get("/api/v1/organizations/{id}", &["org"]).all(&[(OrgView, Record)]),
        get("/api/v1/users", &[]).all(&[(UserView, On::Scope(SameOrg))]),
        get("/api/v1/users/{id}", &["user"]).all(&[(UserView, Record)]),
        get("/api/v1/audit", &[]).all(&[(AuditView, On::Scope(SameOrg))]),
        get("/api/v1/codice-fiscale/{cf}", &["cf"]).all(&[(PersonView, On::Scope(Own))]),
        get("/api/v1/prestazioni", &[]).all(APP_VIEW_OWN),
        get("/api/v1/prestazioni/{id}", &["benefit"]).all(APP_VIEW_OWN),
        get("/api/v1/istanze", &[]).all(APP_VIEW_OWN),
        post("/api/v1/istanze", &[])
            .all(&[(ApplicationFile, On::Scope(Own))])
            .send(Payload::Json(
                r#"{"person_id":"@person2","benefit_id":"@benefit","attestation_id":"@attestation2","channel":"sportello","units":"20","months":"9","submit":true}"#,
            ))
            .expect(Expect::Once),
        get("/api/v1/istanze/{id}", &["application"]).all(APP_VIEW),
        get("/dsu", &[]).all(DSU_LIST),
        get("/dsu/nuova", &[]).all(DSU_NEW).query("?persona=@person"),
        get("/dsu/scadenze", &[]).all(&[(ApplicationReview, On::Scope(SameOrg))]),
        post("/dsu/nuova", &[])
            .all(DSU_NEW)
            .send(Payload::Form(&[("persona", "@person")]))
            .expect(Expect::PastGuard),
        get("/dsu/{id}", &["dsu"]).all(DSU_VIEW),
        post("/dsu/{id}/generale", &["dsu"])
            .all(DSU_EDIT)
            .expect(Expect::PastGuard),
        post("/dsu/{id}/componenti", &["dsu"])
            .all(DSU_EDIT)
            .expect(Expect::PastGuard),
        post("/dsu/{id}/stato", &["dsu"])
            .all(DSU_EDIT)
            .expect(Expect::PastGuard),
        post("/dsu/{id}/correzione", &["dsu"])
            .all(DSU_EDIT)
            .expect(Expect::PastGuard),
        post("/dsu/{id}/corrente", &["dsu"])
            .all(DSU_EDIT)
            .expect(Expect::PastGuard),
        get("/dsu/{id}/quadri/{key}", &["dsu", "dsu_quadro"]).all(DSU_VIEW),
        get("/dsu/{id}/stampa", &["dsu"]).all(DSU_VIEW),
        get("/dsu/{id}/calcolo.pdf", &["dsu"])
            .all(DSU_VIEW)
            .expect(Expect::PastGuard),
        post("/dsu/{id}/quadri/{key}", &["dsu", "dsu_quadro"])
            .all(DSU_EDIT)
            .expect(Expect::PastGuard),
        post("/api/v1/dsu", &[])
            .all(&[(DsuEdit, On::Scope(SameOrg))])
            .send(Payload::Json("{}"))
            .expect(Expect::PastGuard),
        get("/api/v1/dsu/{id}", &["dsu"]).all(DSU_VIEW),
        put("/api/v1/dsu/{id}", &["dsu"])
            .all(DSU_EDIT)
            .send(Payload::Json("{}"))
            .expect(Expect::PastGuard),
        get("/api/v1/dsu/{id}/calcolo", &["dsu"])
            .all(DSU_VIEW)
            .expect(Expect::PastGuard),
        post("/api/v1/istanze/{id}/stato", &["application"])
            .all(APP_VIEW)
            .send(Payload::Json("{}"))
            .expect(Expect::PastGuard),
        // The login steps, last: they may end the session they are sent with.
        get("/password", &[]),
        post("/password", &[]).expect(Expect::PastGuard),
        get("/totp/attiva", &[]),
        post("/totp/attiva", &[]),
        get("/totp", &[]),
        post("/totp", &[]),
        get("/ente", &[]),
        post("/ente", &[]).send(Payload::Form(&[("ente", "@home")])),
        post("/account/token/{id}/revoca", &["own_token"]),
        post("/login", &[])
            .needs(Need::Public)
            .send(Payload::Form(&[
                ("login", "@login_user"),
                ("password", ADMIN_PASSWORD),
            ])),
        post("/logout", &[]).needs(Need::Public),
        // The citizens' portal: to an office session it is a visitor's; the citizen's pages
        // send it to the portal's sign-in (the citizen's scope: `portal.rs`).
        get("/portale", &[]).needs(Need::Public),
        get("/portale/lingua/{code}", &["lang"])
            .needs(Need::Public)
            .other_org(StatusCode::SEE_OTHER),
        get("/portale/accedi", &[]).needs(Need::Public),
        get("/portale/accedi/{provider}", &["provider"])
            .needs(Need::Public)
            .other_org(StatusCode::SEE_OTHER),
        get("/portale/accesso", &[]).needs(Need::Public),
        // Local accounts (on for the sweep): anyone may ask for a link, open one, sign in
        // with a password (`portal_local.rs`).
        post("/portale/accedi", &[]).needs(Need::Public),
        get("/portale/registrati", &[]).needs(Need::Public),
        post("/portale/registrati", &[]).needs(Need::Public),
        get("/portale/registrati/conferma", &[]).needs(Need::Public),
        post("/portale/registrati/conferma", &[]).needs(Need::Public),
        get("/portale/.well-known/openid-federation", &[]).needs(Need::Public),
        post("/portale/esci", &[]).needs(Need::Public),
        get("/portale/domande", &[]).needs(Need::Public),
        // Whatever the id: the sign-in comes before any lookup.
        get("/portale/domande/{id}", &["application"])
            .needs(Need::Public)
            .other_org(StatusCode::SEE_OTHER),
        post("/portale/domande/{id}/messaggi", &["application"])
            .needs(Need::Public)
            .other_org(StatusCode::SEE_OTHER),
        post("/portale/domande/{id}/documenti", &["application"])
            .needs(Need::Public)
            .other_org(StatusCode::SEE_OTHER)
            .send(Payload::Pdf(&[("requirement", "")])),
        post("/portale/domande/{id}/osservazioni", &["application"])
            .needs(Need::Public)
            .other_org(StatusCode::SEE_OTHER)
            .send(Payload::Pdf(&[("observations", "Osservazioni")])),
        get(
            "/portale/domande/{id}/documenti/{doc}",
            &["application", "application_doc"],
        )
        .needs(Need::Public)
        .other_org(StatusCode::SEE_OTHER),
        get("/portale/domande/{id}/lettere/{letter}", &["application", "letter"])
            .needs(Need::Public)
            .other_org(StatusCode::SEE_OTHER),
        get("/portale/accessi", &[]).needs(Need::Public),
        get("/portale/enti/{org}/prestazioni/{id}", &["org_code", "benefit"])
            .needs(Need::Public),
        // Applying online: the citizen's own, whatever the ids (`portal_apply.rs`).
        get(
            "/portale/enti/{org}/prestazioni/{id}/domanda",
            &["org_code", "benefit"],
        )
        .needs(Need::Public)
        .other_org(StatusCode::SEE_OTHER),
        post(
            "/portale/enti/{org}/prestazioni/{id}/domanda",
            &["org_code", "benefit"],
        )
        .needs(Need::Public)
        .other_org(StatusCode::SEE_OTHER),
        get("/portale/bozze/{id}", &["application"])
            .needs(Need::Public)
            .other_org(StatusCode::SEE_OTHER),
        get("/portale/bozze/{id}/passi/{step}", &["application", "lang"])
            .needs(Need::Public)
            .other_org(StatusCode::SEE_OTHER),
        post("/portale/bozze/{id}/passi/{step}", &["application", "lang"])
            .needs(Need::Public)
            .other_org(StatusCode::SEE_OTHER),
        post("/portale/bozze/{id}/allegati", &["application"])
            .needs(Need::Public)
            .other_org(StatusCode::SEE_OTHER)
            .send(Payload::Pdf(&[])),
        post(
            "/portale/bozze/{id}/allegati/{doc}/elimina",
            &["application", "application"],
        )
        .needs(Need::Public)
        .other_org(StatusCode::SEE_OTHER),
        get("/portale/bozze/{id}/elimina", &["application"])
            .needs(Need::Public)
            .other_org(StatusCode::SEE_OTHER),
        post("/portale/bozze/{id}/elimina", &["application"])
            .needs(Need::Public)
            .other_org(StatusCode::SEE_OTHER),
        post("/portale/bozze/{id}/invia", &["application"])
            .needs(Need::Public)
            .other_org(StatusCode::SEE_OTHER),
        get("/portale/domande/{id}/ricevuta.pdf", &["application"])
            .needs(Need::Public)
            .other_org(StatusCode::SEE_OTHER),
    ]
}

// --- The world the rows run in -----------------------------------------------------------------

/// An organization's records, by the names the rows use.
type Fixtures = HashMap<&'static str, String>;

/// The fixtures that are not records of an organization (another organization's cannot be
/// put in their place).
const NOT_RECORDS: [&str; 3] = ["asset_version", "cf", "own_token"];

/// The fixtures that are, or lead to, a person's data.
const PERSON_DATA: [&str; 17] = [
    "person",
    "person2",
    "household",
    "member",
    "link",
    "person_doc",
    "access",
    "case",
    "case_doc",
    "plan",
    "assessment",
    "appointment",
    "attestation",
    "application",
    "application_doc",
    "notice",
    "mandate",
];

struct OrgSpec {
    code: &'static str,
    istat: &'static str,
    belfiore: &'static str,
    /// Logins of its staff start with it.
    prefix: &'static str,
}

const ORG_A: OrgSpec = OrgSpec {
    code: "sweep-a",
    istat: "016024",
    belfiore: "A794",
    prefix: "sw",
};
const ORG_B: OrgSpec = OrgSpec {
    code: "sweep-b",
    istat: "017029",
    belfiore: "B157",
    prefix: "swb",
};

const LUCIA_CF: &str = "VRDLCU50C43A794E";

fn login(spec: &OrgSpec, role: Role) -> String {
    format!("{}.{}", spec.prefix, role.as_str().replace('_', "-"))
}

/// A member of `spec`'s staff with `role`, logged in.
async fn member(state: &AppState, spec: &OrgSpec, role: Role) -> Client {
    staff(state, spec.code, spec.istat, &login(spec, role), role).await
}

fn who_login(who: Who) -> String {
    match who {
        Who::Anonymous => "anonimo".into(),
        Who::Sistema => "admin".into(),
        Who::Staff(r) => login(&ORG_A, r),
    }
}

fn day(state: &AppState, offset: i64) -> String {
    format_date(today(state.clock.now()) + time::Duration::days(offset))
}

fn registry_csv(rows: &[&str]) -> Vec<u8> {
    let mut s = String::from(
        "id_anpr;codice_fiscale;cognome;nome;sesso;data_nascita;luogo_nascita;cittadinanza;stato_civile;data_decesso;indirizzo;data_decorrenza_residenza;id_famiglia;rapporto_parentela",
    );
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.into_bytes()
}

/// Someone else in the comune's list, so that the second list is not empty.
const NEWCOMER: &str = "1005;;Bianchi;Nino;M;2001-05-05;A794;IT;1;;Via Tasso 9;2026-01-01;F9;1";

fn lucia() -> String {
    format!("1004;{LUCIA_CF};Verdi;Lucia;F;1950-03-03;A794;IT;3;;Via Tasso 8;1990-01-01;F2;1")
}

fn moved(r: &Response, what: &str) -> String {
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{what}: {} {} {}",
        r.text(".sp-error-summary"),
        r.text(".sp-alert"),
        if r.status.is_client_error() {
            r.body.as_str()
        } else {
            ""
        }
    );
    r.location().to_owned()
}

fn last_segment(path: &str) -> String {
    path.split(['?', '#'])
        .next()
        .unwrap_or("")
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_owned()
}

fn uuid(s: &str) -> Uuid {
    Uuid::parse_str(s).unwrap_or_else(|_| panic!("not an id: {s}"))
}

/// The first link of `page` that starts with `prefix`.
fn first_link(page: &Response, prefix: &str) -> String {
    let sel = scraper::Selector::parse(&format!("a[href^='{prefix}']")).unwrap();
    page.html()
        .select(&sel)
        .next()
        .and_then(|a| a.value().attr("href"))
        .unwrap_or_else(|| panic!("no link to {prefix}: {}", page.body))
        .to_owned()
}

/// A user made through the store, without logging in.
async fn account(
    state: &AppState,
    org: &store::Organization,
    login: &str,
    role: Role,
) -> store::User {
    app::manage::create_user(
        &state.store,
        &app::Actor::system(org.clone(), state.clock.now()),
        org,
        domain::Login::parse(login).unwrap(),
        format!("Utente {login}"),
        None,
        role,
        ADMIN_PASSWORD.into(),
    )
    .await
    .unwrap()
}

async fn to_state(c: &mut Client, app: &str, to: &str, version: &str) {
    let r = c
        .post(
            &format!("{app}/stato"),
            &[
                ("to", to),
                ("version", version),
                ("note", "Motivazione di prova"),
            ],
        )
        .await;
    moved(&r, to);
    let page = c.get(app).await;
    assert!(
        !page.body.contains("Dati non salvati"),
        "{app} → {to}: {}",
        page.text(".sp-alert")
    );
}

/// The records of one organization, made by its responsabile, social worker and counter
/// operator as the office does (through the pages), and a few accounts made through the store.
async fn records(
    state: &AppState,
    spec: &OrgSpec,
    resp: &mut Client,
    aw: &mut Client,
    op: &mut Client,
) -> Fixtures {
    let mut fx = Fixtures::new();
    let org = state
        .store
        .get_org_by_code(&domain::OrgCode::parse(spec.code).unwrap())
        .await
        .unwrap();
    let author = app::Actor::system(org.clone(), state.clock.now());
    fx.insert("org", org.id.to_string());
    fx.insert("org_code", spec.code.into());
    fx.insert("org_name", org.name.clone());
    fx.insert("istat", spec.istat.into());
    fx.insert("belfiore", spec.belfiore.into());
    fx.insert("cf", crate::istanze_fixtures::ROSSI_CF.into());
    fx.insert("today", day(state, 0));
    fx.insert("tomorrow", day(state, 1));
    fx.insert("lucia_cf", LUCIA_CF.into());
    fx.insert("asset_version", "v".into());
    fx.insert("asset", "css/app.css".into());
    fx.insert("lang", "en".into());
    fx.insert("provider", "0".into());
    fx.insert("letter", "provvedimento.pdf".into());

    // The catalogue, and school meals in it.
    moved(
        &resp.post("/prestazioni/catalogo-base", &[]).await,
        "catalogue",
    );
    let mensa = benefit_in(state, org.id, "mensa").await;
    fx.insert("benefit", mensa.clone());

    // A call of school meals, with a provisional ranking of no applications.
    let call = moved(
        &resp
            .post(
                "/bandi",
                &[
                    ("title", "Bando di prova"),
                    ("benefit", mensa.as_str()),
                    ("opens_on", &day(state, 0)),
                    ("closes_on", &day(state, 10)),
                    ("budget", "1.000"),
                    ("publication_text", "Testo"),
                    ("disability_points", "5"),
                    ("disability_article", "art. 1"),
                ],
            )
            .await,
        "call",
    );
    moved(
        &resp
            .post(
                &format!("{call}/graduatoria"),
                &[("appeals_until", &day(state, 20))],
            )
            .await,
        "ranking",
    );
    fx.insert("call", last_segment(&call));
    // A fund and an empty list of January to approve.
    let fund = store::Fund {
        id: Uuid::now_v7(),
        org_id: org.id,
        name: "Fondo nazionale politiche sociali".into(),
        kind: domain::payment::FundKind::National,
        debtor_iban: "IT60X0542811101000000123456".into(),
        actor: "sistema".into(),
        at_us: 1,
    };
    state
        .store
        .create_fund(
            &fund,
            &author.audit("fund.create", "fund", Some(fund.id), "FNPS".into()),
        )
        .await
        .unwrap();
    fx.insert("fund", fund.id.to_string());
    let list = store::PaymentList {
        id: Uuid::now_v7(),
        org_id: org.id,
        fund_id: fund.id,
        fund_name: fund.name.clone(),
        debtor_iban: fund.debtor_iban.clone(),
        month: time::macros::date!(2026 - 01 - 01),
        state: domain::payment::ListState::Prepared,
        approved_by: None,
        version: 1,
        actor: "sistema".into(),
        at_us: 1,
        count: 0,
        total: domain::money::Money::ZERO,
    };
    state
        .store
        .create_payment_list(
            &list,
            &[],
            &author.audit(
                "payment.list",
                "payment_list",
                Some(list.id),
                "vuota".into(),
            ),
        )
        .await
        .unwrap();
    fx.insert("payment_list", list.id.to_string());

    // A first import from the civil registry brings Lucia Verdi.
    let csv = registry_csv(&[&lucia()]);
    let r = resp
        .upload(
            "/anagrafe/import",
            &[
                ("comune", spec.belfiore),
                ("data_riferimento", &day(state, -30)),
            ],
            Some(("anagrafe.csv", &csv)),
        )
        .await;
    fx.insert("import", last_segment(&moved(&r, "import")));
    let lucia_id = state
        .store
        .find_person_by_cf(org.id, LUCIA_CF)
        .await
        .unwrap()
        .id;
    fx.insert("person2", lucia_id.to_string());
    // The ente's pagoPA data and a bill of January for Lucia Verdi.
    state
        .store
        .save_pagopa_settings(
            &store::PagopaSettings {
                org_id: org.id,
                fiscal_code: "80034840167".into(),
                segregation_code: 1,
                iban: "IT60X0542811101000000123456".into(),
                category: "9/0101108TS/".into(),
                due_days: 30,
                version: 1,
                actor: "sistema".into(),
                at_us: 1,
            },
            &author.audit(
                "bill.settings",
                "organization",
                Some(org.id),
                "pagoPA".into(),
            ),
        )
        .await
        .unwrap();
    let bill = store::Bill {
        id: Uuid::now_v7(),
        org_id: org.id,
        person_id: lucia_id,
        person_name: String::new(),
        fiscal_code: None,
        month: time::macros::date!(2026 - 01 - 01),
        description: "Compartecipazione di gennaio 2026".into(),
        amount: domain::money::Money(1_000),
        paid: domain::money::Money::ZERO,
        iuv: String::new(),
        nav: String::new(),
        issued_on: time::macros::date!(2026 - 02 - 01),
        due_on: time::macros::date!(2026 - 03 - 03),
        state: domain::bill::BillState::Issued,
        reminders: 0,
        last_reminder_on: None,
        version: 1,
        actor: "sistema".into(),
        at_us: 1,
    };
    state
        .store
        .issue_bills(
            org.id,
            &[(bill.clone(), Vec::new())],
            &author.audit("bill.issue", "bill", None, "1".into()),
        )
        .await
        .unwrap();
    fx.insert("bill", bill.id.to_string());

    // Mario Rossi, registered at the counter, with an attestation and an application that
    // is accepted and delivered.
    let mut rossi = crate::istanze_fixtures::rossi();
    for f in &mut rossi {
        if f.0 == "residence_istat" {
            f.1 = spec.istat;
        }
    }
    let person = moved(&op.post("/persone/nuova", &rossi).await, "person");
    let pid = uuid(&last_segment(&person));
    fx.insert("person", pid.to_string());
    let year = today(state.clock.now()).year();
    fx.insert("protocol", format!("INPS-ISEE-{year}-00099999C-00"));
    let attestation = attest_with(
        state,
        op,
        org.id,
        &person,
        &format!("INPS-ISEE-{year}-00012345A-00"),
    )
    .await;
    fx.insert("attestation", attestation.clone());
    let dsu = moved(
        &op.post(
            "/dsu/nuova",
            &[
                ("persona", &pid.to_string()),
                ("dsu_date", &day(state, 0)),
                ("variant", "ordinario"),
                ("prestazione", "altra"),
            ],
        )
        .await,
        "dsu",
    );
    fx.insert("dsu", last_segment(&dsu));
    fx.insert("dsu_quadro", "b".into());
    let app = file_for(op, &person, &mensa, &attestation).await;
    let app_id = uuid(&last_segment(&app));
    fx.insert("application", app_id.to_string());
    crate::istanze_fixtures::upload_identity(op, &app).await;
    fx.insert(
        "application_doc",
        state
            .store
            .application_documents(org.id, app_id)
            .await
            .unwrap()[0]
            .id
            .to_string(),
    );
    to_state(op, &app, "in_istruttoria", "1").await;
    to_state(resp, &app, "accolta", "2").await;
    to_state(resp, &app, "in_erogazione", "3").await;
    fx.insert(
        "month",
        state
            .store
            .application_deliveries(org.id, app_id)
            .await
            .unwrap()[0]
            .id
            .to_string(),
    );

    fx.insert(
        "siuss_flow",
        rejected_siuss_flow(state, &org).await.to_string(),
    );

    // Lucia's application, with a notice before rejection.
    let lucia_path = format!("/persone/{lucia_id}");
    let attestation2 = attest_with(
        state,
        op,
        org.id,
        &lucia_path,
        &format!("INPS-ISEE-{year}-00054321B-00"),
    )
    .await;
    fx.insert("attestation2", attestation2.clone());
    let notice = file_for(op, &lucia_path, &mensa, &attestation2).await;
    to_state(op, &notice, "in_istruttoria", "1").await;
    // Asked for a document first: its letter is on the register too.
    to_state(op, &notice, "integrazione_richiesta", "2").await;
    to_state(op, &notice, "in_istruttoria", "3").await;
    to_state(resp, &notice, "preavviso_rigetto", "4").await;
    fx.insert("notice", last_segment(&notice));

    // Rossi's case file, whose responsible worker is the social worker, with a colleague in
    // the team, a document, a plan and an assessment.
    let worker = state
        .store
        .get_user_by_login(&domain::Login::parse(&login(spec, Role::AssistenteSociale)).unwrap())
        .await
        .unwrap();
    let today_s = day(state, 0);
    let case = moved(
        &aw.post(
            &format!("{person}/cartella"),
            &[("worker", &worker.id.to_string()), ("opened_on", &today_s)],
        )
        .await,
        "case file",
    );
    let case_id = uuid(&last_segment(&case));
    fx.insert("worker", worker.id.to_string());
    fx.insert("case", case_id.to_string());
    let colleague = account(
        state,
        &org,
        &format!("{}.collega", spec.prefix),
        Role::AssistenteSociale,
    )
    .await;
    let colleague2 = account(
        state,
        &org,
        &format!("{}.collega2", spec.prefix),
        Role::AssistenteSociale,
    )
    .await;
    fx.insert("colleague", colleague.id.to_string());
    fx.insert("colleague2", colleague2.id.to_string());
    moved(
        &aw.post(
            &format!("{case}/equipe"),
            &[("user", &colleague.id.to_string()), ("reason", "Supporto")],
        )
        .await,
        "team",
    );
    moved(
        &aw.upload(
            &format!("{case}/documenti"),
            &[("description", "Relazione"), ("confidentiality", "normale")],
            Some(("relazione.pdf", &support::minimal_pdf())),
        )
        .await,
        "case document",
    );
    fx.insert(
        "case_doc",
        state.store.case_documents(org.id, case_id).await.unwrap()[0]
            .id
            .to_string(),
    );
    let review = day(state, 90);
    let plan = moved(
        &aw.post(
            &format!("{case}/pai"),
            &[
                ("starts_on", today_s.as_str()),
                ("ends_on", ""),
                ("goals", "Mantenere l'autonomia a domicilio"),
                ("commitments", ""),
                ("next_review", review.as_str()),
            ],
        )
        .await,
        "plan",
    );
    fx.insert("plan", last_segment(&plan));
    let mut sina: Vec<(&str, &str)> = crate::plans::SINA.to_vec();
    sina.push(("assessed_on", &today_s));
    let assessment = moved(
        &aw.post(&format!("{case}/valutazioni/nuova?modulo=sina"), &sina)
            .await,
        "assessment",
    );
    fx.insert("assessment", last_segment(&assessment));

    // An appointment, a first access, a household, a support link, an identity document and
    // a mandate, all of Rossi.
    let tomorrow = day(state, 1);
    let r = aw
        .post(
            &format!("/agenda/nuovo?persona={pid}"),
            &[
                ("worker", &worker.id.to_string()),
                ("date", &tomorrow),
                ("time", "10:00"),
                ("place", "Sede, stanza 4"),
                ("purpose", "colloquio"),
            ],
        )
        .await;
    let booked = moved(&r, "appointment");
    let appointment = if booked.starts_with("/appuntamenti/") {
        booked
    } else {
        first_link(&aw.get(&booked).await, "/appuntamenti/")
    };
    fx.insert("appointment", last_segment(&appointment));
    moved(
        &op.post(
            &format!("{person}/accesso"),
            &[
                ("channel", "di_persona"),
                ("needs", "economico"),
                ("request", "Chiede informazioni"),
                ("outcome", "informazioni"),
                ("follow_up", "Richiamare con l'esito"),
            ],
        )
        .await,
        "access",
    );
    fx.insert(
        "access",
        state.store.person_accesses(org.id, pid).await.unwrap()[0]
            .id
            .to_string(),
    );
    let household = moved(
        &op.post(
            &format!("{person}/famiglia"),
            &[("from_date", "01/01/2020")],
        )
        .await,
        "household",
    );
    let hid = uuid(&last_segment(&household));
    fx.insert("household", hid.to_string());
    fx.insert(
        "member",
        state.store.household_members(org.id, hid).await.unwrap()[0]
            .member
            .id
            .to_string(),
    );
    moved(
        &op.post(
            &format!("{person}/rete"),
            &[("kind", "caregiver"), ("related_name", "Giulia Neri")],
        )
        .await,
        "support link",
    );
    fx.insert(
        "link",
        state.store.person_support(org.id, pid).await.unwrap()[0]
            .id
            .to_string(),
    );
    moved(
        &op.post(
            &format!("{person}/documenti"),
            &[
                ("kind", "cie"),
                ("number", "CA12345AB"),
                ("issued_by", "Comune"),
                ("issued_on", "01/01/2020"),
                ("expires_on", "01/01/2030"),
            ],
        )
        .await,
        "identity document",
    );
    fx.insert(
        "person_doc",
        state.store.person_documents(org.id, pid).await.unwrap()[0]
            .id
            .to_string(),
    );
    // Rossi's own account: the sweep's citizen and CAF operator have no mandate.
    let citizen = format!("{}.titolare", spec.prefix);
    account(state, &org, &citizen, Role::Cittadino).await;
    fx.insert("citizen", citizen.clone());
    moved(
        &op.post(
            &format!("{person}/deleghe"),
            &[
                ("utente", citizen.as_str()),
                ("tipo", "titolare"),
                ("note", "Delega firmata"),
            ],
        )
        .await,
        "mandate",
    );
    fx.insert(
        "mandate",
        state.store.person_mandates(org.id, pid).await.unwrap()[0]
            .mandate
            .id
            .to_string(),
    );

    // Accounts to administer.
    let target = account(
        state,
        &org,
        &format!("{}.bersaglio", spec.prefix),
        Role::OperatoreSportello,
    )
    .await;
    fx.insert("user", target.id.to_string());
    // Accounts of their own for the token's revocation (a password reset revokes the
    // tokens) and for logging in (a citizen: no second factor).
    let holder = account(
        state,
        &org,
        &format!("{}.token", spec.prefix),
        Role::OperatoreSportello,
    )
    .await;
    let (_, token) = app::manage::create_token(
        &state.store,
        &author,
        &holder,
        &org,
        "prova",
        store::TOKEN_DAYS,
    )
    .await
    .unwrap();
    fx.insert("token_user", holder.id.to_string());
    fx.insert("user_token", token.id.to_string());
    let entrant = format!("{}.accesso", spec.prefix);
    account(state, &org, &entrant, Role::Cittadino).await;
    fx.insert("login_user", entrant);
    let second = account(
        state,
        &org,
        &format!("{}.secondo", spec.prefix),
        Role::Ragioneria,
    )
    .await;
    fx.insert("user2", second.id.to_string());

    // Lucia's removal from the comune's list (emigration), in a second import, is an event
    // to review: she has an open matter. She stays alive, so applications are filed for her.
    state
        .store
        .open_matter(
            &store::OpenMatter {
                id: Uuid::now_v7(),
                org_id: org.id,
                person_id: lucia_id,
                kind: "domanda".into(),
                ref_id: Uuid::now_v7(),
                opened_at_us: 1,
                closed_at_us: None,
            },
            &author.audit("matter.open", "application", None, "aperta".into()),
        )
        .await
        .unwrap();
    let csv = registry_csv(&[NEWCOMER]);
    let r = resp
        .upload(
            "/anagrafe/import",
            &[
                ("comune", spec.belfiore),
                ("data_riferimento", &day(state, -1)),
            ],
            Some(("anagrafe.csv", &csv)),
        )
        .await;
    moved(&r, "second import");
    fx.insert(
        "event",
        state
            .store
            .registry_events_to_review(org.id, false, false, 10)
            .await
            .unwrap()
            .first()
            .expect("an event to review")
            .id
            .to_string(),
    );
    fx
}

/// Everyone who asks, logged in, with their API tokens.
struct World {
    state: AppState,
    a: Fixtures,
    b: Fixtures,
    clients: Vec<(Who, Client)>,
    /// Bearer tokens, by login.
    bearer: HashMap<String, String>,
    /// Per login: a token of their own to revoke, and the organization they act in.
    own_token: HashMap<String, String>,
    home: HashMap<String, String>,
}

/// Everyone the sweep sends requests as, in order: organization A's roles, then the
/// installation's administrator (whose requests on A's records must find nothing).
fn everyone() -> Vec<Who> {
    let mut v: Vec<Who> = Role::ALL.into_iter().map(Who::Staff).collect();
    v.push(Who::Sistema);
    v
}

impl World {
    async fn build(state: &AppState) -> World {
        let mut clients = Vec::new();
        for who in everyone() {
            let c = match who {
                Who::Staff(role) => member(state, &ORG_A, role).await,
                _ => {
                    let mut c = Client::new(state);
                    c.login_fully("admin", ADMIN_PASSWORD).await;
                    c
                }
            };
            clients.push((who, c));
        }
        let a = {
            let mut take = |role| {
                let i = clients
                    .iter()
                    .position(|(w, _)| *w == Who::Staff(role))
                    .unwrap();
                std::mem::replace(&mut clients[i].1, Client::new(state))
            };
            let (mut resp, mut aw, mut op) = (
                take(Role::Responsabile),
                take(Role::AssistenteSociale),
                take(Role::OperatoreSportello),
            );
            let fx = records(state, &ORG_A, &mut resp, &mut aw, &mut op).await;
            for (role, c) in [
                (Role::Responsabile, resp),
                (Role::AssistenteSociale, aw),
                (Role::OperatoreSportello, op),
            ] {
                let i = clients
                    .iter()
                    .position(|(w, _)| *w == Who::Staff(role))
                    .unwrap();
                clients[i].1 = c;
            }
            fx
        };
        let b = {
            let mut resp = member(state, &ORG_B, Role::Responsabile).await;
            let mut aw = member(state, &ORG_B, Role::AssistenteSociale).await;
            let mut op = member(state, &ORG_B, Role::OperatoreSportello).await;
            records(state, &ORG_B, &mut resp, &mut aw, &mut op).await
        };
        let mut bearer = HashMap::new();
        let mut own_token = HashMap::new();
        let mut home = HashMap::new();
        for who in everyone() {
            let l = who_login(who);
            let user = state
                .store
                .get_user_by_login(&domain::Login::parse(&l).unwrap())
                .await
                .unwrap();
            let org = state.store.memberships(user.id).await.unwrap()[0]
                .org
                .clone();
            let (secret, _) = app::manage::create_token(
                &state.store,
                &app::Actor::system(org.clone(), state.clock.now()),
                &user,
                &org,
                "api",
                store::TOKEN_DAYS,
            )
            .await
            .unwrap();
            let (_, revocable) = app::manage::create_token(
                &state.store,
                &app::Actor::system(org.clone(), state.clock.now()),
                &user,
                &org,
                "da revocare",
                store::TOKEN_DAYS,
            )
            .await
            .unwrap();
            bearer.insert(l.clone(), secret);
            own_token.insert(l.clone(), revocable.id.to_string());
            home.insert(l, org.id.to_string());
        }
        World {
            state: state.clone(),
            a,
            b,
            clients,
            bearer,
            own_token,
            home,
        }
    }

    /// The value of `@name`: a fixture of `fx`, or one of the asker's own.
    fn value(&self, who: Who, fx: &Fixtures, name: &str) -> String {
        let l = who_login(who);
        match name {
            "who" => l,
            "home" => self.home.get(&l).cloned().unwrap_or_default(),
            "own_token" => self.own_token.get(&l).cloned().unwrap_or_default(),
            _ => fx
                .get(name)
                .unwrap_or_else(|| panic!("no fixture {name}"))
                .clone(),
        }
    }

    /// `@name` (or `@name.suffix`) resolved; any other text as it is.
    fn resolve(&self, who: Who, fx: &Fixtures, text: &str) -> String {
        match text.strip_prefix('@') {
            Some(name) => match name.split_once('.') {
                Some((name, suffix)) => format!("{}.{suffix}", self.value(who, fx, name)),
                None => self.value(who, fx, name),
            },
            None => text.to_owned(),
        }
    }

    /// The row's path with its segments filled from `fx`, the first one from `first` when
    /// given (another organization's record).
    fn path(&self, row: &Row, who: Who, first: Option<&Fixtures>) -> String {
        let mut fill = row.fill.iter().enumerate();
        let path = row
            .route
            .split('/')
            .map(|seg| {
                if seg.starts_with('{') {
                    let (i, name) = fill.next().expect("a fixture for each segment");
                    let fx = if i == 0 {
                        first.unwrap_or(&self.a)
                    } else {
                        &self.a
                    };
                    self.value(who, fx, name)
                } else {
                    seg.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let query = row
            .query
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, v)) => format!("{k}={}", self.resolve(who, &self.a, v)),
                None => kv.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("&");
        format!("{path}{query}")
    }

    async fn send(&mut self, row: &Row, who: Who, path: &str) -> Response {
        if row.api() {
            let mut req = Request::builder().method(row.method).uri(path);
            if who != Who::Anonymous {
                req = req.header(
                    header::AUTHORIZATION,
                    format!("Bearer {}", self.bearer[&who_login(who)]),
                );
            }
            let body = match row.send {
                Payload::Json(json) => {
                    req = req.header(header::CONTENT_TYPE, "application/json");
                    // The strings `"@name"` are fixtures.
                    let json: Vec<String> = json
                        .split('"')
                        .map(|part| self.resolve(who, &self.a, part))
                        .collect();
                    Body::from(json.join("\""))
                }
                _ => Body::empty(),
            };
            return Client::new(&self.state).send(req.body(body).unwrap()).await;
        }
        let form: Vec<(String, String)> = match row.send {
            Payload::Form(pairs) | Payload::Pdf(pairs) => pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), self.resolve(who, &self.a, v)))
                .collect(),
            _ => Vec::new(),
        };
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let csv_date = day(&self.state, -1);
        let belfiore = self.a["belfiore"].clone();
        let mut anonymous = Client::new(&self.state);
        let c = match self.clients.iter_mut().find(|(w, _)| *w == who) {
            Some((_, c)) => c,
            None => &mut anonymous,
        };
        match (row.method, row.send) {
            ("GET", _) => c.get(path).await,
            (_, Payload::Pdf(_)) => {
                c.upload(
                    path,
                    &form,
                    Some(("documento.pdf", &support::minimal_pdf())),
                )
                .await
            }
            (_, Payload::Logo) => {
                c.upload(path, &[], Some(("logo.png", crate::acts::LOGO)))
                    .await
            }
            (_, Payload::RegistryCsv) => {
                let csv = registry_csv(&[
                    "2001;;Neri;Pia;F;1940-02-02;A794;IT;3;;Via Tasso 8;1990-01-01;F9;1",
                ]);
                c.upload(
                    path,
                    &[
                        ("comune", belfiore.as_str()),
                        ("data_riferimento", csv_date.as_str()),
                    ],
                    Some(("anagrafe.csv", &csv)),
                )
                .await
            }
            _ => c.post(path, &form).await,
        }
    }
}

/// Whether the policy lets `who` do what `need` says.
/// A SIUSS flow of last month that INPS rejected (for «Invia di nuovo»), with the ente's
/// SIUSS settings saved by the installation.
async fn rejected_siuss_flow(state: &AppState, org: &store::Organization) -> Uuid {
    let actor = app::Actor::system(org.clone(), state.clock.now());
    app::siuss::save_sender(
        state,
        &actor,
        &domain::siuss::SenderInput {
            ente_code: "A794".into(),
            seat: "A794".into(),
            operator_cf: "80034840167".into(),
        },
        "0",
    )
    .await
    .unwrap()
    .unwrap();
    let month = app::siuss_exchange::months_before(today(state.clock.now()), 1);
    let period = app::siuss::period(state, &actor, month).await.unwrap();
    let id = Uuid::now_v7();
    let element = "<Beneficiario CodiceFiscale=\"RSSMRA80A01A794J\"/>".to_owned();
    let names = state
        .store
        .save_siuss_month(
            &store::SiussMonth {
                org_id: org.id,
                month,
                sender: &period.sender,
                now_us: state.clock.now_us(),
                flows: vec![store::NewSiussFlow {
                    id,
                    record_id: Uuid::now_v7(),
                    kind: domain::siuss::RecordKind::Ps,
                    operation: domain::siuss::Operation::Insert,
                    person_id: Uuid::now_v7(),
                    application_id: None,
                    case_file_id: None,
                    digest: domain::siuss::exchange::digest(&element),
                    element,
                }],
                problems: None,
            },
            None,
        )
        .await
        .unwrap();
    state
        .store
        .record_siuss_outcomes(
            org.id,
            &[store::SiussOutcome {
                name: names[0].clone(),
                outcome: domain::siuss::exchange::Outcome::DataNotFound,
                detail: None,
                siuss_id: None,
            }],
            state.clock.now_us(),
            &actor.audit("siuss.esiti", "siuss_period", None, "esiti di prova".into()),
        )
        .await
        .unwrap();
    id
}

/// The sweep's application with organization A's WaaS API open to a PDND key of its own,
/// and the metrics to a token.
fn with_waas(state: AppState) -> AppState {
    let key = oidc::RsaKey::generate().unwrap();
    let waas = web::waas::WaasConfig {
        issuer: "interop.pagopa.it".into(),
        keys: oidc::Jwks {
            keys: vec![key.public_jwk(oidc::KeyUse::Sig)],
        },
        per_minute: 1000,
        enti: HashMap::from([(
            ORG_A.code.to_owned(),
            web::waas::WaasEnte {
                audience: "https://sweep.example/waas/sweep-a/v1".into(),
                clients: Vec::new(),
            },
        )]),
    };
    AppState {
        config: std::sync::Arc::new(web::WebConfig {
            waas: Some(waas),
            metrics: web::metrics::MetricsConfig {
                token: Some("il-token-delle-metriche-della-prova".into()),
                allowed: Vec::new(),
            },
            ..(*state.config).clone()
        }),
        ..state
    }
}

fn allowed(who: Who, need: Need) -> bool {
    let actor = match who {
        Who::Anonymous => return matches!(need, Need::Public),
        Who::Sistema => Actor {
            role: Role::Amministratore,
            system_org: true,
            active: true,
        },
        Who::Staff(role) => Actor {
            role,
            system_org: false,
            active: true,
        },
    };
    let ok = |&(action, on): &(Action, On)| {
        let scope = match (on, who) {
            (On::Scope(s), _) => s,
            (On::Record | On::Case, Who::Sistema) => OtherOrg,
            (On::Case, Who::Staff(Role::AssistenteSociale)) => RecordScope::Assigned,
            (On::Record | On::Case, _) => SameOrg,
        };
        decide(&actor, action, scope).is_allowed()
    };
    match need {
        Need::Public | Need::Session => true,
        Need::Pdnd => false,
        Need::All(n) => n.iter().all(ok),
        Need::Any(n) => n.iter().any(ok),
    }
}

/// A redirect to the login page, which may carry the page asked for.
fn to_login(r: &Response) -> bool {
    r.status == StatusCode::SEE_OTHER
        && (r.location() == "/login" || r.location().starts_with("/login?dopo="))
}

fn success(r: &Response) -> bool {
    r.status.is_success() || (r.status.is_redirection() && !to_login(r))
}

/// A refusal (401, 403, 404, 405) or a server error.
fn refused(r: &Response) -> bool {
    r.status.is_server_error()
        || [
            StatusCode::UNAUTHORIZED,
            StatusCode::FORBIDDEN,
            StatusCode::NOT_FOUND,
            StatusCode::METHOD_NOT_ALLOWED,
        ]
        .contains(&r.status)
}

/// A public route answers anyone, without refusing (a redirect to the login, as after
/// logging out, is its answer).
fn public(r: &Response) -> bool {
    !refused(r)
}

fn past_guard(r: &Response) -> bool {
    !to_login(r) && !refused(r)
}

/// The record in the row's first segment belongs to an organization.
fn on_record(row: &Row) -> bool {
    row.fill.first().is_some_and(|f| !NOT_RECORDS.contains(f))
}

/// What another organization's record answers: organizations and accounts are named openly
/// to whoever may see them (403 when they may not), every other record does not exist (404).
fn other_org_status(row: &Row) -> StatusCode {
    if let Some(s) = row.other_org {
        return s;
    }
    match row.fill.first() {
        Some(&"org" | &"user" | &"user2" | &"token_user") => StatusCode::FORBIDDEN,
        _ => StatusCode::NOT_FOUND,
    }
}

/// What a refusal of `who` answers on `row`: 403, but 404 to the installation's
/// administrator when the permission depends on organization A's record (found only within
/// the organization one acts in, so not found from `sistema`).
fn refusal(row: &Row, who: Who) -> StatusCode {
    let on_record =
        |n: &[(Action, On)]| n.iter().any(|(_, on)| matches!(on, On::Record | On::Case));
    let by_record = match row.need {
        Need::All(n) | Need::Any(n) => on_record(n),
        Need::Pdnd => return StatusCode::UNAUTHORIZED,
        Need::Public | Need::Session => false,
    };
    if who == Who::Sistema && (by_record || row.found_first) {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::FORBIDDEN
    }
}

fn show(r: &Response) -> String {
    let detail = match r.status.as_u16() {
        300..=399 => format!("→ {}", r.location()),
        _ => r.text(".sp-error-summary, .sp-alert, main h1"),
    };
    format!("{} {}", r.status.as_u16(), detail.trim())
}

async fn every_route_answers_each_role_as_the_policy_says(state: AppState) {
    // The portal signs in through a local provider, so that its sign-in routes answer.
    let provider = oidc::testing::TestProvider::start(Vec::new(), oidc::testing::Behaviour::Honest)
        .await
        .unwrap();
    let rp = web::portale::local_relying_party(
        "http://127.0.0.1:8328",
        "Comune di prova",
        provider.provider_config("SPID"),
    )
    .unwrap();
    let state = with_waas(support::with_local_accounts(state.with_oidc(rp)));
    let started = Instant::now();
    let mut world = World::build(&state).await;
    let built = started.elapsed();
    // Before the rows: the last ones end the sessions.
    let mut failures = without_mandate(&mut world).await;
    failures.extend(beyond_the_route(&mut world).await);
    let mut requests = 0;
    let mut reached = BTreeSet::new();
    let rows = table();
    for row in &rows {
        let what = format!("{} {}", row.method, row.route);
        // Anonymous.
        let path = world.path(row, Who::Anonymous, None);
        let r = world.send(row, Who::Anonymous, &path).await;
        requests += 1;
        let ok = match row.need {
            Need::Public => public(&r),
            Need::Pdnd => r.status == StatusCode::UNAUTHORIZED,
            _ if row.api() => r.status == StatusCode::UNAUTHORIZED,
            _ => to_login(&r),
        };
        if !ok {
            failures.push(format!("{what} anonimo: {}", show(&r)));
        }
        let mut first = true;
        for who in everyone() {
            let may = allowed(who, row.need);
            if may
                && on_record(row)
                && !(who == Who::Sistema && other_org_status(row) == StatusCode::FORBIDDEN)
            {
                let path = world.path(row, who, Some(&world.b));
                let r = world.send(row, who, &path).await;
                requests += 1;
                if r.status != other_org_status(row) {
                    failures.push(format!(
                        "{what} {} con il record dell'ente B ({path}): {} invece di {}",
                        who_login(who),
                        show(&r),
                        other_org_status(row).as_u16()
                    ));
                }
            }
            let path = world.path(row, who, None);
            let r = world.send(row, who, &path).await;
            requests += 1;
            let strict = match row.expect {
                Expect::Success => true,
                Expect::Once => first,
                Expect::PastGuard => false,
            };
            let ok = if !may {
                r.status == refusal(row, who)
            } else if matches!(row.need, Need::Public) {
                public(&r)
            } else if strict {
                success(&r)
            } else if row.expect == Expect::Once {
                // The first one ended or removed the record: not found is the answer.
                r.status == StatusCode::NOT_FOUND || past_guard(&r)
            } else {
                past_guard(&r)
            };
            if may {
                first = false;
            }
            if !ok {
                failures.push(format!(
                    "{what} {} ({}): {}",
                    who_login(who),
                    if may { "ammesso" } else { "non ammesso" },
                    show(&r)
                ));
            }
            if r.status.is_success()
                && matches!(who, Who::Staff(Role::OperatoreCaf | Role::Cittadino))
                && row.fill.iter().any(|f| PERSON_DATA.contains(f))
            {
                reached.insert(format!("{what} {}", who_login(who)));
            }
        }
    }
    eprintln!(
        "sweep: {} rows, {requests} requests; fixtures {:.1?}, total {:.1?}",
        rows.len(),
        built,
        started.elapsed()
    );
    // The review sent with organization B's event left it to review.
    let b_org = uuid(&world.b["org"]);
    let b_events = state
        .store
        .registry_events_to_review(b_org, false, false, 10)
        .await
        .unwrap();
    assert!(
        b_events
            .iter()
            .any(|e| e.id.to_string() == world.b["event"]),
        "organization B's event was marked reviewed from organization A"
    );
    assert!(
        reached.is_empty(),
        "a CAF operator or a citizen without a mandate reached a person's data: {reached:?}"
    );
    assert!(
        failures.is_empty(),
        "{} answers differ from the policy:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A CAF operator or a citizen without a mandate for Rossi learns nothing of him from his
/// id, and files nothing for him by it, through the pages or the API. (A CAF may file by a
/// codice fiscale it types: it learns only that the code exists.)
async fn without_mandate(world: &mut World) -> Vec<String> {
    let person = world.a["person"].clone();
    let benefit = world.a["benefit"].clone();
    let attestation = world.a["attestation"].clone();
    let mut failures = Vec::new();
    for role in [Role::OperatoreCaf, Role::Cittadino] {
        let who = Who::Staff(role);
        let l = who_login(who);
        let form = world
            .send(
                &get("/istanze/nuova", &[]),
                who,
                &format!("/istanze/nuova?persona={person}"),
            )
            .await;
        if form.body.contains("Rossi") {
            failures.push(format!("GET /istanze/nuova?persona= {l}: mostra Rossi"));
        }
        let c = &mut world.clients.iter_mut().find(|(w, _)| *w == who).unwrap().1;
        let r = c
            .post(
                "/istanze/nuova",
                &[
                    ("persona", person.as_str()),
                    ("benefit", benefit.as_str()),
                    ("attestation", attestation.as_str()),
                    ("channel", "caf"),
                    ("units", "20"),
                    ("months", "9"),
                    ("azione", "presenta"),
                ],
            )
            .await;
        if r.status != StatusCode::UNPROCESSABLE_ENTITY || r.body.contains("Rossi") {
            failures.push(format!(
                "POST /istanze/nuova {l} per l'id di Rossi: {}",
                show(&r)
            ));
        }
        let mut api = Client::new(&world.state);
        let req = Request::post("/api/v1/istanze")
            .header(header::AUTHORIZATION, format!("Bearer {}", world.bearer[&l]))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(format!(
                r#"{{"person_id":"{person}","benefit_id":"{benefit}","attestation_id":"{attestation}","channel":"caf","submit":true}}"#
            )))
            .unwrap();
        let r = api.send(req).await;
        if r.status != StatusCode::UNPROCESSABLE_ENTITY || r.body.contains("Rossi") {
            failures.push(format!(
                "POST /api/v1/istanze {l} per l'id di Rossi: {}",
                show(&r)
            ));
        }
    }
    failures
}

/// Checks past the route's own guard: one's account reaches only one's own tokens, and the
/// change of an application's state asks the permission of the change (the route lets in
/// whoever may see the application).
async fn beyond_the_route(world: &mut World) -> Vec<String> {
    let mut failures = Vec::new();
    let others = format!("/account/token/{}/revoca", world.a["user_token"]);
    let app = format!("/istanze/{}/stato", world.a["application"]);
    for who in everyone() {
        let c = &mut world.clients.iter_mut().find(|(w, _)| *w == who).unwrap().1;
        let r = c.post(&others, &[]).await;
        if r.status != StatusCode::NOT_FOUND {
            failures.push(format!(
                "POST {others} {}: il token di un altro utente, {}",
                who_login(who),
                show(&r)
            ));
        }
        if who == Who::Staff(Role::Ragioneria) {
            let r = c.post(&app, &[("to", "conclusa"), ("version", "4")]).await;
            if r.status != StatusCode::FORBIDDEN {
                failures.push(format!("POST {app} ragioneria → conclusa: {}", show(&r)));
            }
        }
    }
    failures
}

// --- Completeness: the table against the router's sources -------------------------------------

#[test]
fn the_table_lists_every_route_and_method_of_the_router() {
    let served = served_routes();
    let mut listed = BTreeSet::new();
    for r in table() {
        assert!(
            listed.insert((r.method.to_owned(), r.route.to_owned())),
            "listed twice: {} {}",
            r.method,
            r.route
        );
        assert_eq!(
            r.fill.len(),
            r.route.matches('{').count(),
            "{} {}: one fixture per segment",
            r.method,
            r.route
        );
    }
    let missing: Vec<_> = served.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&served).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "routes served but not in the sweep's table: {missing:?}\nrows of the table no longer served: {stale:?}"
    );
    assert!(
        served.len() > 100,
        "the sources were read: {}",
        served.len()
    );
}

/// Every (method, path) the sources declare: `.route(PATH, get(…).post(…))` anywhere under
/// `src/` (PATH a literal or a `const` of the crate), and the API's rows `("/path", get(…))`
/// in `pages/api*.rs`, which are mounted under /api/v1.
fn served_routes() -> BTreeSet<(String, String)> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut dirs = vec![src];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                files.push((p, text));
            }
        }
    }
    let consts: HashMap<String, String> = files.iter().flat_map(|(_, t)| str_consts(t)).collect();
    let mut found = BTreeSet::new();
    for (path, text) in &files {
        let api = path.parent().is_some_and(|d| d.ends_with("pages"))
            && path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("api"));
        let mut routes: Vec<(String, Vec<String>)> = Vec::new();
        for (i, _) in text.match_indices(".route(") {
            let rest = text[i + ".route(".len()..].trim_start();
            let (route, after) = if let Some(lit) = rest.strip_prefix('"') {
                let end = lit.find('"').unwrap();
                (lit[..end].to_owned(), &lit[end + 1..])
            } else {
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .unwrap_or(rest.len());
                let name = rest[..end].rsplit("::").next().unwrap_or("");
                match consts.get(name) {
                    Some(v) => (v.clone(), &rest[end..]),
                    // Not a route's declaration (the API's table folded into its router).
                    None => continue,
                }
            };
            let Some(chain) = after.trim_start().strip_prefix(',') else {
                continue;
            };
            routes.push((route, methods(chain)));
        }
        if api {
            for (i, _) in text.match_indices("(\"/") {
                let lit = &text[i + 2..];
                let end = lit.find('"').unwrap();
                if let Some(chain) = lit[end + 1..].trim_start().strip_prefix(',') {
                    let m = methods(chain);
                    if !m.is_empty() {
                        routes.push((lit[..end].to_owned(), m));
                    }
                }
            }
        }
        for (route, methods) in routes {
            assert!(
                !methods.is_empty(),
                "{}: the methods of {route} are not written as get(…).post(…); teach the sweep to read them",
                path.display()
            );
            let route = if api {
                format!("/api/v1{route}")
            } else {
                route
            };
            for m in methods {
                found.insert((m, route.clone()));
            }
        }
    }
    found
}

/// `const NAME: &str = "value";` declarations.
fn str_consts(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            let (name, rest) = l.strip_prefix("const ")?.split_once(": &str = \"")?;
            Some((name.trim().to_owned(), rest.split_once('"')?.0.to_owned()))
        })
        .collect()
}

/// The methods of a chain `get(a).post(b).layer(…)` at the start of `s`.
fn methods(s: &str) -> Vec<String> {
    let mut rest = s.trim_start();
    let mut found = Vec::new();
    loop {
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        let name = rest[..end].rsplit("::").next().unwrap_or("");
        rest = &rest[end..];
        if !rest.starts_with('(') {
            break;
        }
        if ["get", "post", "put", "delete", "patch"].contains(&name) {
            found.push(name.to_uppercase());
        } else if found.is_empty() {
            break;
        }
        let Some(close) = closing_paren(rest) else {
            break;
        };
        rest = rest[close + 1..].trim_start();
        match rest.strip_prefix('.') {
            Some(r) => rest = r.trim_start(),
            None => break,
        }
    }
    found
}

/// The index of the parenthesis closing the one `s` starts with (string literals skipped).
fn closing_paren(s: &str) -> Option<usize> {
    let mut depth = 0;
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}
